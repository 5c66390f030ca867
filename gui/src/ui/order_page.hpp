// The wizard's first page: the order code, typed or scanned (a scanner types it and presses
// Enter), or, with a demo shop set in Settings, an amount to make an order for.
#pragma once

#include <QWizardPage>

#include "core/app_settings.hpp"

class QGroupBox;
class QLabel;
class QLineEdit;

namespace taplink::gui {

class MerchantClient;

class OrderPage : public QWizardPage {
    Q_OBJECT

  public:
    explicit OrderPage(const AppSettings& settings, QWidget* parent = nullptr);

    bool isComplete() const override;
    void initializePage() override;
    // Keeps the code when the user comes back to correct it.
    void cleanupPage() override {}

  private:
    QGroupBox* buildAmountButtons();
    void createOrder(qint64 amountFen);
    void onOrderCreated(const QString& orderId, qint64 amountFen, const QString& scheme);
    void onMerchantFailed(const QString& message);

    QLineEdit* code_;
    QLabel* status_;
    MerchantClient* merchant_ = nullptr;
    QGroupBox* amounts_ = nullptr;
};

}  // namespace taplink::gui
