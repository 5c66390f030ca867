// The dynamic token (token.generate, docs/gui.md): the 8-digit challenge the bank gave, a
// Generate button enabled only by exactly 8 digits, and the chip's one-time code in large
// monospace type with its counter. Each press is one call and spends one chip counter, so
// nothing here calls taplinkd but the button. A changed challenge clears the code shown.
#pragma once

#include <QDialog>

#include "core/token_generator.hpp"

class QLabel;
class QLineEdit;
class QPushButton;

namespace taplink::gui {

class TokenDialog : public QDialog {
    Q_OBJECT

  public:
    explicit TokenDialog(DaemonConnection& connection, QWidget* parent = nullptr);

    QLineEdit* challengeField() const { return challenge_; }
    QPushButton* generateButton() const { return generate_; }

  private:
    QWidget* buildChallengeRow();
    QWidget* buildAnswer();
    void generate();
    void clearAnswer();
    void showToken(const DynamicToken& token);
    void showError(const RpcError& error);
    void updateButton();

    TokenGenerator generator_;
    QLineEdit* challenge_;
    QPushButton* generate_;
    QLabel* code_;
    QLabel* counter_;
    QLabel* error_;
};

}  // namespace taplink::gui
