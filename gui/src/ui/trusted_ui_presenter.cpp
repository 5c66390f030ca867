#include "ui/trusted_ui_presenter.hpp"

#include <QDialog>

#include "core/trusted_ui_broker.hpp"
#include "ui/application_dialog.hpp"
#include "ui/card_info_dialog.hpp"
#include "ui/confirmation_dialog.hpp"
#include "ui/origin_approval_dialog.hpp"
#include "ui/pin_dialog.hpp"
#include "ui/qt_new.hpp"

namespace taplink::gui {

TrustedUiPresenter::TrustedUiPresenter(TrustedUiBroker& broker, QObject* parent)
    : QObject(parent), broker_(broker) {
    connect(&broker_, &TrustedUiBroker::requestArrived, this, &TrustedUiPresenter::show);
    connect(&broker_, &TrustedUiBroker::requestClosed, this, &TrustedUiPresenter::close);
}

TrustedUiPresenter::~TrustedUiPresenter() {
    for (const QPointer<QDialog>& dialog : std::as_const(dialogs_)) {
        if (!dialog.isNull()) {
            dialog->disconnect(this);
            delete dialog.data();  // NOLINT(cppcoreguidelines-owning-memory): top-level, ours
        }
    }
}

QList<QDialog*> TrustedUiPresenter::dialogs() const {
    QList<QDialog*> open;
    for (const QPointer<QDialog>& dialog : dialogs_) {
        if (!dialog.isNull()) {
            open.append(dialog.data());
        }
    }
    return open;
}

void TrustedUiPresenter::show(const UiRequest& request) {
    if (request.isApplication()) {
        showApplication(request);
    } else if (request.isPin()) {
        showPin(request);
    } else if (request.isTopup() || request.isEcload() || request.isPay()) {
        showConfirmation(request);
    } else if (request.isCardInfo()) {
        showCardInfo(request);
    } else if (request.isOrigin()) {
        showOrigin(request);
    } else {  // a newer taplinkd's question this app cannot show: never allowed unseen
        broker_.respond(request.id, TrustedUiBroker::Decision::Deny);
        return;
    }
    emit asked(request);
}

void TrustedUiPresenter::showApplication(const UiRequest& request) {
    auto* dialog = qtNew<ApplicationDialog>(request);
    connect(dialog, &QDialog::finished, this, [this, id = request.id, dialog](int result) {
        const QString aid = dialog->chosenAid();
        if (result == QDialog::Accepted && !aid.isEmpty()) {
            broker_.choose(id, aid);
        } else {
            broker_.respond(id, TrustedUiBroker::Decision::Deny);
        }
    });
    present(request.id, dialog);
}

void TrustedUiPresenter::showPin(const UiRequest& request) {
    auto* dialog = qtNew<PinDialog>(request);
    connect(dialog, &QDialog::finished, this, [this, id = request.id, dialog](int result) {
        if (result == QDialog::Accepted) {
            broker_.answerPin(id, dialog->takePin());  // the broker wipes it once sent
        } else {
            broker_.respond(id, TrustedUiBroker::Decision::Deny);
        }
    });
    present(request.id, dialog);
}

void TrustedUiPresenter::showConfirmation(const UiRequest& request) {
    auto* dialog = qtNew<ConfirmationDialog>(request);
    connect(dialog, &QDialog::finished, this, [this, id = request.id](int result) {
        broker_.respond(id, result == QDialog::Accepted ? TrustedUiBroker::Decision::Allow
                                                        : TrustedUiBroker::Decision::Deny);
    });
    present(request.id, dialog);
}

void TrustedUiPresenter::showCardInfo(const UiRequest& request) {
    auto* dialog = qtNew<CardInfoDialog>(request);
    connect(dialog, &QDialog::finished, this, [this, id = request.id](int result) {
        broker_.respond(id, result == QDialog::Accepted ? TrustedUiBroker::Decision::Allow
                                                        : TrustedUiBroker::Decision::Deny);
    });
    present(request.id, dialog);
}

void TrustedUiPresenter::showOrigin(const UiRequest& request) {
    auto* dialog = qtNew<OriginApprovalDialog>(request);
    connect(dialog, &QDialog::finished, this, [this, id = request.id](int result) {
        const bool allow = result != OriginApprovalDialog::Deny;
        broker_.respond(id,
                        allow ? TrustedUiBroker::Decision::Allow : TrustedUiBroker::Decision::Deny,
                        result == OriginApprovalDialog::AllowAlways);
    });
    present(request.id, dialog);
}

void TrustedUiPresenter::present(const QString& id, QDialog* dialog) {
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialogs_.insert(id, dialog);
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}

void TrustedUiPresenter::close(const QString& id) {
    const QPointer<QDialog> dialog = dialogs_.take(id);
    if (!dialog.isNull()) {
        dialog->disconnect(this);  // closed by taplinkd: no answer to send
        dialog->close();
    }
}

}  // namespace taplink::gui
