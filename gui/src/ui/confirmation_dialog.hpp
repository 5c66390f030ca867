// The trusted confirmation taplinkd asks for before a web page's top-up loads anything:
// "Load ¥50.00 onto card …0042 for shop.example?" with the origin shown prominently; and
// before an EC load (圈存, kind "ecload"): "Load ¥50.00 onto card …1234?", with the origin
// when a web page asks; and before a web page's purchase (kind "pay"): "Pay ¥50.00 to Demo
// Shop with card …1234?" with the merchant and the card's application. Deny is the default
// button, so Enter or Esc refuse; accept() means Allow.
#pragma once

#include <QDialog>

#include "core/api_types.hpp"

class QPushButton;

namespace taplink::gui {

class ConfirmationDialog : public QDialog {
    Q_OBJECT

  public:
    explicit ConfirmationDialog(const UiRequest& request, QWidget* parent = nullptr);

    const QString& requestId() const { return requestId_; }
    QPushButton* allowButton() const { return allow_; }
    QPushButton* denyButton() const { return deny_; }

  private:
    QWidget* buildDetails(const UiRequest& request);
    static QString titleText(const UiRequest& request);
    static QString hintText(const UiRequest& request);

    QString requestId_;
    QPushButton* allow_;
    QPushButton* deny_;
};

// The question, e.g. "Load ¥50.00 onto card …0042 for shop.example?" (zh_CN for an EC load:
// "圈存 ¥50.00 到卡 …1234？"; for a purchase: "用卡 …1234 向 Demo Shop 支付 ¥50.00？").
QString confirmationQuestion(const UiRequest& request);

}  // namespace taplink::gui
