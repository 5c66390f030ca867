// The receipt: what was loaded, the balance before and after, the order, the card's
// transaction certificate (TAC), and whether the server has confirmed it yet.
#pragma once

#include <QWizardPage>

class QLabel;

namespace taplink::gui {

class ReceiptPage : public QWizardPage {
    Q_OBJECT

  public:
    explicit ReceiptPage(QWidget* parent = nullptr);

    void initializePage() override;

  private:
    QLabel* amount_;
    QLabel* balance_;
    QLabel* order_;
    QLabel* tac_;
    QLabel* tacLabel_ = nullptr;  // "Card certificate (TAC):", or "Card:" for an EC load
    QLabel* settled_;
};

}  // namespace taplink::gui
