// Asked when a web page wants the details of the card on the reader (ui.request kind
// "cardinfo", docs/api.md "card.info"): its masked number, balance, issuer and validity,
// which would let the page know the holder again on any site. Deny is the default button.
// taplinkd keeps the answer for the origin until it restarts, so the user is asked once.
#pragma once

#include <QDialog>

#include "core/api_types.hpp"

class QPushButton;

namespace taplink::gui {

class CardInfoDialog : public QDialog {
    Q_OBJECT

  public:
    explicit CardInfoDialog(const UiRequest& request, QWidget* parent = nullptr);

    const QString& requestId() const { return requestId_; }
    QPushButton* allowButton() const { return allow_; }
    QPushButton* denyButton() const { return deny_; }

  private:
    QWidget* buildButtons();

    QString requestId_;
    QPushButton* allow_;
    QPushButton* deny_;
};

}  // namespace taplink::gui
