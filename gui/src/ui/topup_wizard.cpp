#include "ui/topup_wizard.hpp"

#include "core/app_core.hpp"
#include "core/order_code.hpp"
#include "ui/app_icon.hpp"
#include "ui/confirm_page.hpp"
#include "ui/order_page.hpp"
#include "ui/progress_page.hpp"
#include "ui/qt_new.hpp"
#include "ui/receipt_page.hpp"

namespace taplink::gui {

TopupWizard::TopupWizard(AppCore& core, const AppSettings& settings, QWidget* parent)
    : QWizard(parent), core_(core), controller_(core.connection()) {
    setObjectName("topupWizard");
    setWindowTitle(tr("Top up a card"));
    setWindowIcon(appIcon());
    setWizardStyle(QWizard::ModernStyle);
    setOptions(QWizard::NoBackButtonOnStartPage | QWizard::NoBackButtonOnLastPage |
               QWizard::NoCancelButtonOnLastPage);
    setPage(OrderPageId, qtNew<OrderPage>(settings));
    setPage(ConfirmPageId, qtNew<ConfirmPage>());
    setPage(ProgressPageId, qtNew<ProgressPage>());
    setPage(ReceiptPageId, qtNew<ReceiptPage>());
    setButtonTexts();
    connect(&controller_, &TopupController::succeeded, this, [this](const TopupResult& result) {
        result_ = result;
        core_.card().refresh();
        emit topupSucceeded(result);
        if (closeWhenStopped_) {
            closeWhenStopped_ = false;  // too late to cancel: show the receipt instead
        }
    });
    connect(&controller_, &TopupController::failed, this, [this](const RpcError& error) {
        core_.card().refresh();
        emit topupFailed(error);
        if (closeWhenStopped_) {
            QWizard::reject();
        }
    });
}

void TopupWizard::setButtonTexts() {
    setButtonText(QWizard::BackButton, tr("< &Back"));
    setButtonText(QWizard::NextButton, tr("&Next >"));
    setButtonText(QWizard::CommitButton, tr("&Top up"));
    setButtonText(QWizard::FinishButton, tr("&Done"));
    setButtonText(QWizard::CancelButton, tr("Cancel"));
}

std::optional<LoadFlow> TopupWizard::loadFlow() {
    const CardWatcher& watcher = core_.card();
    const bool ready = watcher.status() == CardWatcher::Status::Ready && watcher.card();
    return chooseLoadFlow(ready ? watcher.card()->scheme : QString(), knownScheme_);
}

QString TopupWizard::orderId() const {
    return extractOrderCode(field("orderCode").toString());
}

void TopupWizard::reject() {
    if (controller_.running()) {
        // Leaving mid-top-up: ask taplinkd to stop, close once it has (or show the receipt
        // when the card was already written and it completes).
        closeWhenStopped_ = true;
        controller_.cancel();
        return;
    }
    QWizard::reject();
}

}  // namespace taplink::gui
