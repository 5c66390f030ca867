#include "ui/token_dialog.hpp"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QVBoxLayout>

#include "core/error_texts.hpp"
#include "ui/app_icon.hpp"
#include "ui/qt_new.hpp"

namespace taplink::gui {

namespace {

constexpr int kChallengeDigits = 8;  // OCRA suite QN08 (RFC 6287 5.1)
constexpr double kCodeScale = 2.5;   // the code is read off the screen and typed elsewhere

QLabel* plainLabel(const char* name) {
    auto* label = qtNew<QLabel>();
    label->setObjectName(name);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    return label;
}

QLineEdit* makeChallengeField(QWidget* dialog) {
    auto* field = qtNew<QLineEdit>();
    field->setObjectName("challenge");
    field->setMaxLength(kChallengeDigits);
    // [0-9], not \d: other scripts' digits are no challenge a bank gives.
    field->setValidator(
        qtNew<QRegularExpressionValidator>(QRegularExpression(QStringLiteral("[0-9]{8}")), dialog));
    field->setInputMethodHints(Qt::ImhDigitsOnly);
    field->setAccessibleName(TokenDialog::tr("Challenge"));
    field->setAccessibleDescription(TokenDialog::tr("8 digits"));
    return field;
}

QLabel* makeCodeLabel() {
    QLabel* code = plainLabel("code");
    code->setWordWrap(false);
    code->setAlignment(Qt::AlignCenter);
    code->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setPointSizeF(code->font().pointSizeF() * kCodeScale);
    font.setBold(true);
    code->setFont(font);
    code->setAccessibleName(TokenDialog::tr("One-time code"));
    return code;
}

}  // namespace

TokenDialog::TokenDialog(DaemonConnection& connection, QWidget* parent)
    : QDialog(parent),
      generator_(connection),
      challenge_(makeChallengeField(this)),
      generate_(qtNew<QPushButton>(tr("&Generate"))),
      code_(makeCodeLabel()),
      counter_(plainLabel("counter")),
      error_(plainLabel("error")) {
    setObjectName("tokenDialog");
    setWindowTitle(tr("TapLink — dynamic token"));
    setWindowIcon(appIcon());
    auto* layout = qtNew<QVBoxLayout>(this);
    QLabel* hint = plainLabel("hint");
    hint->setText(
        tr("Type the 8-digit challenge your bank gave you. The payment applet on this "
           "device's secure chip answers it with a one-time code; each code uses up "
           "one step of the chip's counter."));
    layout->addWidget(hint);
    layout->addWidget(buildChallengeRow());
    layout->addWidget(buildAnswer());
    auto* buttons = qtNew<QDialogButtonBox>();
    QPushButton* close = buttons->addButton(tr("&Close"), QDialogButtonBox::RejectRole);
    close->setAutoDefault(false);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    connect(challenge_, &QLineEdit::textChanged, this, [this] {
        clearAnswer();
        updateButton();
    });
    connect(challenge_, &QLineEdit::returnPressed, this, &TokenDialog::generate);
    connect(generate_, &QPushButton::clicked, this, &TokenDialog::generate);
    connect(&generator_, &TokenGenerator::runningChanged, this, &TokenDialog::updateButton);
    connect(&generator_, &TokenGenerator::generated, this, &TokenDialog::showToken);
    connect(&generator_, &TokenGenerator::failed, this, &TokenDialog::showError);
    updateButton();
    challenge_->setFocus();
}

QWidget* TokenDialog::buildChallengeRow() {
    auto* row = qtNew<QWidget>();
    auto* form = qtNew<QFormLayout>(row);
    form->setContentsMargins(0, 0, 0, 0);
    auto* label = qtNew<QLabel>(tr("C&hallenge:"));
    label->setBuddy(challenge_);
    generate_->setObjectName("generateButton");
    generate_->setAutoDefault(false);  // Enter in the field generates, once, via returnPressed
    auto* line = qtNew<QHBoxLayout>();
    line->addWidget(challenge_, 1);
    line->addWidget(generate_);
    form->addRow(label, line);
    return row;
}

QWidget* TokenDialog::buildAnswer() {
    auto* answer = qtNew<QWidget>();
    auto* layout = qtNew<QVBoxLayout>(answer);
    layout->setContentsMargins(0, 0, 0, 0);
    counter_->setAlignment(Qt::AlignCenter);
    layout->addWidget(code_);
    layout->addWidget(counter_);
    layout->addWidget(error_);
    return answer;
}

void TokenDialog::generate() {
    if (generate_->isEnabled() && generator_.generate(challenge_->text())) {
        clearAnswer();
    }
}

void TokenDialog::clearAnswer() {
    code_->clear();
    counter_->clear();
    error_->clear();
}

void TokenDialog::showToken(const DynamicToken& token) {
    code_->setText(token.code);
    counter_->setText(tr("counter %1").arg(token.counter));
}

void TokenDialog::showError(const RpcError& error) {
    const ErrorText text = describeError(error, ErrorTopic::DynamicToken);
    error_->setText(text.what + QLatin1Char('\n') + text.todo);
}

// The challenge stays as it was while the chip answers, so the code shown is always the
// answer to the challenge in the field.
void TokenDialog::updateButton() {
    challenge_->setReadOnly(generator_.running());
    generate_->setEnabled(!generator_.running() && challenge_->hasAcceptableInput());
}

}  // namespace taplink::gui
