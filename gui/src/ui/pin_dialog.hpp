// The trusted question taplinkd asks when the card wants its online PIN for a purchase
// (ui.request kind "pin", docs/api.md "Trusted UI"): the amount, the merchant and the masked
// card beside a password field that takes 4 to 12 ASCII digits (ISO 9564-1 5.1). *Pay* stays
// disabled until the PIN is complete; accept() takes the digits out of the field for
// takePin(), and every other way out (Cancel, Esc, taplinkd withdrawing the question) clears
// the field. The digits are never logged.
#pragma once

#include <QByteArray>
#include <QDialog>
#include <utility>

#include "core/api_types.hpp"

class QLineEdit;
class QPushButton;

namespace taplink::gui {

class PinDialog : public QDialog {
    Q_OBJECT

  public:
    explicit PinDialog(const UiRequest& request, QWidget* parent = nullptr);
    ~PinDialog() override;
    PinDialog(const PinDialog&) = delete;
    PinDialog& operator=(const PinDialog&) = delete;

    const QString& requestId() const { return requestId_; }
    QLineEdit* pinField() const { return field_; }
    QPushButton* payButton() const { return pay_; }
    QPushButton* denyButton() const { return deny_; }

    // The ASCII digits accept() took from the field, handed over once (then empty): the
    // taker wipes them.
    QByteArray takePin() { return std::exchange(pin_, QByteArray()); }

    // Only with a complete PIN (Enter on an incomplete one keeps asking).
    void accept() override;

  protected:
    void hideEvent(QHideEvent* event) override;

  private:
    QWidget* buildDetails(const PurchaseQuestion& purchase);
    QWidget* buildPinRow();
    QByteArray takeFromField();

    QString requestId_;
    QLineEdit* field_;
    QPushButton* pay_;
    QPushButton* deny_;
    QByteArray pin_;
};

}  // namespace taplink::gui
