#include "ui/order_page.hpp"

#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>
#include <array>

#include "core/error_texts.hpp"
#include "core/merchant_client.hpp"
#include "core/money.hpp"
#include "core/order_code.hpp"
#include "ui/qt_new.hpp"
#include "ui/topup_wizard.hpp"

namespace taplink::gui {

namespace {
// The demo shop's amounts, in fen: what its checkout page offers too.
constexpr std::array<qint64, 4> kDemoAmounts{1000, 2000, 5000, 10000};
}  // namespace

OrderPage::OrderPage(const AppSettings& settings, QWidget* parent)
    : QWizardPage(parent), code_(qtNew<QLineEdit>()), status_(qtNew<QLabel>()) {
    setObjectName("orderPage");
    setTitle(tr("Order"));
    setSubTitle(tr("Enter or scan the order code you were given (it starts with ORD-)."));
    auto* layout = qtNew<QVBoxLayout>(this);
    auto* label = qtNew<QLabel>(tr("&Order code:"));
    label->setBuddy(code_);
    code_->setObjectName("orderCode");
    code_->setAccessibleName(tr("Order code"));
    code_->setPlaceholderText(tr("ORD-…"));
    code_->setClearButtonEnabled(true);
    registerField("orderCode", code_);
    connect(code_, &QLineEdit::textChanged, this, &QWizardPage::completeChanged);
    connect(code_, &QLineEdit::textEdited, this, [this] {
        if (auto* topup = qobject_cast<TopupWizard*>(wizard())) {
            topup->setKnownAmount(std::nullopt);  // a typed code: the amount is the order's
            topup->setKnownScheme(QString());
        }
    });
    layout->addWidget(label);
    layout->addWidget(code_);
    if (!settings.demoMerchantUrl.isEmpty()) {
        merchant_ = qtNew<MerchantClient>(settings.demoMerchantUrl, settings.demoMerchantCa, this);
        connect(merchant_, &MerchantClient::orderCreated, this, &OrderPage::onOrderCreated);
        connect(merchant_, &MerchantClient::failed, this, &OrderPage::onMerchantFailed);
        layout->addWidget(buildAmountButtons());
    }
    status_->setObjectName("orderStatus");
    status_->setWordWrap(true);
    layout->addWidget(status_);
    layout->addStretch();
}

QGroupBox* OrderPage::buildAmountButtons() {
    amounts_ = qtNew<QGroupBox>(tr("Or choose an amount at the demo shop"));
    amounts_->setObjectName("demoAmounts");
    auto* grid = qtNew<QGridLayout>(amounts_);
    int column = 0;
    for (const qint64 fen : kDemoAmounts) {
        auto* button = qtNew<QPushButton>(formatFen(fen));
        button->setObjectName(QStringLiteral("amount-%1").arg(fen));
        button->setAccessibleName(tr("Top up %1").arg(formatFen(fen)));
        button->setAutoDefault(false);
        connect(button, &QPushButton::clicked, this, [this, fen] { createOrder(fen); });
        grid->addWidget(button, 0, column++);
    }
    return amounts_;
}

void OrderPage::initializePage() {
    status_->clear();
    code_->setFocus();
}

bool OrderPage::isComplete() const {
    return isPlausibleOrderCode(extractOrderCode(code_->text()));
}

void OrderPage::createOrder(qint64 amountFen) {
    amounts_->setEnabled(false);
    status_->setText(tr("Creating the order at the demo shop…"));
    // A bank card on the reader gets an EC load (圈存) order; anything else a city top-up.
    auto* topup = qobject_cast<TopupWizard*>(wizard());
    if (topup != nullptr) {
        topup->setKnownScheme(QString());  // the card decides; the shop's answer then says
    }
    const bool bank = topup != nullptr && topup->loadFlow() == LoadFlow::Bank;
    merchant_->createOrder(amountFen, bank ? QStringLiteral("bank-ec") : QString());
}

void OrderPage::onOrderCreated(const QString& orderId, qint64 amountFen, const QString& scheme) {
    amounts_->setEnabled(true);
    status_->clear();
    code_->setText(orderId);
    if (auto* topup = qobject_cast<TopupWizard*>(wizard())) {
        topup->setKnownAmount(amountFen);
        topup->setKnownScheme(scheme);
        topup->next();
    }
}

void OrderPage::onMerchantFailed(const QString& message) {
    amounts_->setEnabled(true);
    const ErrorText text = describeError(LocalFailure::MerchantUnreachable);
    status_->setText(text.what + QLatin1Char(' ') + text.todo + QStringLiteral(" (") + message +
                     QLatin1Char(')'));
}

}  // namespace taplink::gui
