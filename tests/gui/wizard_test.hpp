// The top-up wizard against a real taplinkd: an order code typed in tops up the virtual card,
// a demo-shop amount makes the order and tops it up, and a failure is said in plain words.
#pragma once

#include <QObject>

namespace taplink::gui::test {

class WizardTest : public QObject {
    Q_OBJECT

  private slots:
    void theWizardTopsUpTheVirtualCard();
    void theWizardLoadsABankCardsEcash();
    void anUnknownOrderIsExplainedInPlainWords();
    void aDemoShopAmountMakesTheOrderAndTopsItUp();
};

}  // namespace taplink::gui::test
