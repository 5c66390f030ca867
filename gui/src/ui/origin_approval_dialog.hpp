// Asked when a web page whose origin is not allowed wants to use TapLink: allow it this once,
// always (it joins the allowed origins, revocable in Settings), or deny (the default).
#pragma once

#include <QDialog>

#include "core/api_types.hpp"

class QPushButton;

namespace taplink::gui {

class OriginApprovalDialog : public QDialog {
    Q_OBJECT

  public:
    // The dialog's result codes (QDialog::done()).
    enum Answer { Deny = 0, AllowOnce = 1, AllowAlways = 2 };

    explicit OriginApprovalDialog(const UiRequest& request, QWidget* parent = nullptr);

    const QString& requestId() const { return requestId_; }
    QPushButton* denyButton() const { return deny_; }
    QPushButton* onceButton() const { return once_; }
    QPushButton* alwaysButton() const { return always_; }

  private:
    QString requestId_;
    QPushButton* deny_;
    QPushButton* once_;
    QPushButton* always_;
};

}  // namespace taplink::gui
