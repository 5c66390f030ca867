// Shows the trusted UI's questions: a ConfirmationDialog for a web page's top-up, an EC load
// or a web page's purchase, an ApplicationDialog for the card's applications, a PinDialog for
// the card's online PIN, an OriginApprovalDialog for an unknown website. Each answer goes back
// through the broker; a question closed on taplinkd's side closes its dialog unanswered.
#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>

#include "core/api_types.hpp"

class QDialog;

namespace taplink::gui {

class TrustedUiBroker;

class TrustedUiPresenter : public QObject {
    Q_OBJECT

  public:
    explicit TrustedUiPresenter(TrustedUiBroker& broker, QObject* parent = nullptr);
    ~TrustedUiPresenter() override;
    TrustedUiPresenter(const TrustedUiPresenter&) = delete;
    TrustedUiPresenter& operator=(const TrustedUiPresenter&) = delete;

    // The open dialogs (for the tests and the screenshots).
    QList<QDialog*> dialogs() const;

  signals:
    // A dialog was shown (the tray may want to draw attention to it).
    void asked(const taplink::gui::UiRequest& request);

  private:
    void show(const UiRequest& request);
    void showApplication(const UiRequest& request);
    void showPin(const UiRequest& request);
    void showConfirmation(const UiRequest& request);
    void showCardInfo(const UiRequest& request);
    void showOrigin(const UiRequest& request);
    void close(const QString& id);
    void present(const QString& id, QDialog* dialog);

    TrustedUiBroker& broker_;
    QHash<QString, QPointer<QDialog>> dialogs_;
};

}  // namespace taplink::gui
