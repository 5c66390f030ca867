// The top-up as it runs: taplinkd's topup.progress stages, what the user should do now (place
// the card, keep it there), and, when it fails, what happened and what to do, with buttons to
// try again or use another order.
#pragma once

#include <QList>
#include <QWizardPage>

#include "core/api_types.hpp"
#include "core/rpc_types.hpp"

class QLabel;
class QProgressBar;
class QPushButton;

namespace taplink::gui {

class ProgressPage : public QWizardPage {
    Q_OBJECT

  public:
    explicit ProgressPage(QWidget* parent = nullptr);

    void initializePage() override;
    void cleanupPage() override;
    bool isComplete() const override;

  private:
    QWidget* buildFailureBox();
    void start();
    void showStage(const QString& stage);
    void onSucceeded(const TopupResult& result);
    void onFailed(const RpcError& error);

    QLabel* instruction_;
    QProgressBar* bar_;
    QList<QLabel*> stages_;
    QWidget* failure_ = nullptr;
    QLabel* failureWhat_ = nullptr;
    QLabel* failureTodo_ = nullptr;
    QPushButton* retry_ = nullptr;
    bool done_ = false;
};

}  // namespace taplink::gui
