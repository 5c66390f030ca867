// The top-up wizard: order code (typed, scanned, or made at the demo shop), a check of what
// will happen, the top-up with taplinkd's progress, and the receipt. Failures stay on the
// progress page in plain words, with what to do and a way to try again.
#pragma once

#include <QWizard>
#include <optional>

#include "core/api_types.hpp"
#include "core/app_settings.hpp"
#include "core/rpc_types.hpp"
#include "core/topup_controller.hpp"

namespace taplink::gui {

class AppCore;

class TopupWizard : public QWizard {
    Q_OBJECT

  public:
    enum PageId { OrderPageId, ConfirmPageId, ProgressPageId, ReceiptPageId };

    TopupWizard(AppCore& core, const AppSettings& settings, QWidget* parent = nullptr);

    AppCore& core() { return core_; }
    TopupController& controller() { return controller_; }

    // What the pages share.
    QString orderId() const;
    // The amount, when the demo shop told us (it made the order); taplinkd's is what counts.
    std::optional<qint64> knownAmount() const { return knownAmount_; }
    void setKnownAmount(std::optional<qint64> amount) { knownAmount_ = amount; }
    // The order's scheme, when the demo shop told us; empty otherwise.
    const QString& knownScheme() const { return knownScheme_; }
    void setKnownScheme(const QString& scheme) { knownScheme_ = scheme; }
    // The city top-up or the bank EC load, by the card on the reader and the order's scheme;
    // nullopt when they do not fit each other.
    std::optional<LoadFlow> loadFlow();
    const std::optional<TopupResult>& result() const { return result_; }

    void reject() override;

  signals:
    void topupSucceeded(const taplink::gui::TopupResult& result);
    void topupFailed(const taplink::gui::RpcError& error);

  private:
    void setButtonTexts();

    AppCore& core_;
    TopupController controller_;
    std::optional<qint64> knownAmount_;
    QString knownScheme_;
    std::optional<TopupResult> result_;
    bool closeWhenStopped_ = false;
};

}  // namespace taplink::gui
