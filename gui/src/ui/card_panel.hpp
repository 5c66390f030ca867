// The card on the chosen reader: scheme and masked serial, issuer, validity and balance, or
// why there is none (no reader, no card, not supported, service away).
#pragma once

#include <QGroupBox>

class QLabel;
class QStackedLayout;

namespace taplink::gui {

class CardWatcher;

class CardPanel : public QGroupBox {
    Q_OBJECT

  public:
    explicit CardPanel(CardWatcher& watcher, QWidget* parent = nullptr);

  private:
    QWidget* buildDetails();
    void refresh();
    void showMessage(const QString& message);

    CardWatcher& watcher_;
    QStackedLayout* stack_;
    QLabel* message_;
    QLabel* cardName_;
    QLabel* reader_;
    QLabel* issuer_;
    QLabel* validity_;
    QLabel* balance_;
};

}  // namespace taplink::gui
