// What is about to happen: the order, its amount when known, and the card it goes onto. Its
// "Top up" button starts the top-up; there is no going back from there.
#pragma once

#include <QWizardPage>

class QLabel;

namespace taplink::gui {

class ConfirmPage : public QWizardPage {
    Q_OBJECT

  public:
    explicit ConfirmPage(QWidget* parent = nullptr);

    void initializePage() override;

  private:
    QString cardText() const;

    QLabel* order_;
    QLabel* amount_;
    QLabel* card_;
};

}  // namespace taplink::gui
