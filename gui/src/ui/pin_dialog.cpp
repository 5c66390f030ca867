#include "ui/pin_dialog.hpp"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QVBoxLayout>

#include "core/money.hpp"
#include "core/readers_model.hpp"
#include "core/secret_text.hpp"
#include "ui/app_icon.hpp"
#include "ui/qt_new.hpp"
#include "ui/request_widgets.hpp"

namespace taplink::gui {

namespace {

constexpr int kMaxPinDigits = 12;  // ISO 9564-1 5.1: 4 to 12 digits

QLabel* plainLabel(const QString& text, const char* name) {
    auto* label = qtNew<QLabel>(text);
    label->setObjectName(name);
    label->setTextFormat(Qt::PlainText);  // a merchant's name is never markup
    label->setWordWrap(true);
    return label;
}

QLineEdit* makePinField(QWidget* dialog) {
    auto* field = qtNew<QLineEdit>();
    field->setObjectName("pin");
    field->setEchoMode(QLineEdit::Password);
    field->setMaxLength(kMaxPinDigits);
    // [0-9], not \d: that would take other scripts' digits, which no card's PIN has.
    field->setValidator(qtNew<QRegularExpressionValidator>(
        QRegularExpression(QStringLiteral("[0-9]{4,12}")), dialog));
    field->setInputMethodHints(Qt::ImhDigitsOnly | Qt::ImhHiddenText | Qt::ImhSensitiveData |
                               Qt::ImhNoPredictiveText);
    field->setContextMenuPolicy(Qt::NoContextMenu);  // no undo that brings a PIN back
    field->setAccessibleName(PinDialog::tr("Card PIN"));
    field->setAccessibleDescription(PinDialog::tr("4 to 12 digits"));
    return field;
}

}  // namespace

PinDialog::PinDialog(const UiRequest& request, QWidget* parent)
    : QDialog(parent),
      requestId_(request.id),
      field_(makePinField(this)),
      pay_(qtNew<QPushButton>(tr("&Pay"))),
      deny_(qtNew<QPushButton>(tr("&Cancel the payment"))) {
    setObjectName("pinDialog");
    setWindowTitle(tr("TapLink — enter the card's PIN"));
    setWindowIcon(appIcon());
    setWindowFlag(Qt::WindowStaysOnTopHint);
    const PurchaseQuestion purchase = request.purchase.value_or(PurchaseQuestion{});
    auto* layout = qtNew<QVBoxLayout>(this);
    if (!request.origin.isEmpty()) {
        layout->addWidget(makeOriginBlock(request));  // an owner's purchase has no origin
    }
    auto* question = plainLabel(tr("Enter the card's PIN to pay %1 to %2.")
                                    .arg(formatFen(purchase.amount), purchase.merchant),
                                "question");
    QFont bigger = question->font();
    bigger.setPointSizeF(bigger.pointSizeF() * 1.3);
    question->setFont(bigger);
    layout->addWidget(question);
    layout->addWidget(buildDetails(purchase));
    layout->addWidget(buildPinRow());
    if (purchase.pinTriesLeft) {  // the last attempt of this order had a wrong PIN
        layout->addWidget(plainLabel(
            tr("The PIN was wrong. %n tries left.", nullptr, *purchase.pinTriesLeft), "triesLeft"));
    }
    layout->addWidget(plainLabel(tr("The device's secure chip encrypts the PIN for your bank; "
                                    "TapLink never stores it."),
                                 "hint"));
    layout->addWidget(qtNew<ExpiryLabel>(request.expiresAt));

    pay_->setObjectName("payButton");
    deny_->setObjectName("denyButton");
    deny_->setAutoDefault(false);
    pay_->setDefault(true);  // Enter pays, but only once the PIN is complete
    pay_->setEnabled(false);
    auto* buttons = qtNew<QDialogButtonBox>();
    buttons->addButton(deny_, QDialogButtonBox::RejectRole);
    buttons->addButton(pay_, QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(field_, &QLineEdit::textChanged, this,
            [this] { pay_->setEnabled(field_->hasAcceptableInput()); });
    layout->addWidget(buttons);
    field_->setFocus();
}

PinDialog::~PinDialog() {
    wipe(pin_);
    QByteArray left = takeFromField();
    wipe(left);
}

QWidget* PinDialog::buildDetails(const PurchaseQuestion& purchase) {
    auto* details = qtNew<QWidget>();
    auto* form = qtNew<QFormLayout>(details);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Amount:"), plainLabel(formatFen(purchase.amount), "amount"));
    form->addRow(tr("Merchant:"), plainLabel(purchase.merchant, "merchant"));
    form->addRow(tr("Card:"),
                 plainLabel(describeCard(QStringLiteral("bank-purchase"), purchase.pan), "card"));
    return details;
}

QWidget* PinDialog::buildPinRow() {
    auto* row = qtNew<QWidget>();
    auto* form = qtNew<QFormLayout>(row);
    form->setContentsMargins(0, 0, 0, 0);
    auto* label = qtNew<QLabel>(tr("PI&N:"));
    label->setBuddy(field_);
    form->addRow(label, field_);
    return row;
}

void PinDialog::accept() {
    if (!field_->hasAcceptableInput()) {
        return;
    }
    wipe(pin_);
    pin_ = takeFromField();
    QDialog::accept();
}

void PinDialog::hideEvent(QHideEvent* event) {
    QByteArray left = takeFromField();  // Cancel, Esc, or the question withdrawn
    wipe(left);
    QDialog::hideEvent(event);
}

// The field's text shares its buffer until the field is emptied; after that this copy is the
// only one, so wipe() reaches it. (The field's undo history goes with setText.)
QByteArray PinDialog::takeFromField() {
    QString text = field_->text();
    field_->setText(QString());
    QByteArray digits = text.toLatin1();
    wipe(text);
    return digits;
}

}  // namespace taplink::gui
