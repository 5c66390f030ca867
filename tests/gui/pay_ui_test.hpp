// The GUI's side of a Tap & Pay purchase: the trusted dialogs for ui.request kinds "pay" (a
// web page's purchase: merchant, amount, masked PAN, application) and "pin" (the card's
// online PIN: a password field of 4 to 12 ASCII digits), in English and Chinese; and what
// reaches taplinkd's socket when they are answered: the typed digits as ui.respond's choice,
// nothing for an incomplete PIN, no digits when the question is cancelled or withdrawn. And
// a web page's whole purchase against the real taplinkd, taplink-server and card on the bed.
#pragma once

#include <QObject>

namespace taplink::gui::test {

class PayUiTest : public QObject {
    Q_OBJECT

  private slots:
    void cleanup();
    void thePayDialogShowsMerchantAmountAndCardInBothLanguages();
    void aWebPurchaseIsAllowedThroughTheTrustedUi();
    void thePinFieldHidesTheDigitsAndTakesOnly4To12();
    void thePinDialogIsTranslated();
    void theTypedPinGoesToTaplinkdAsTheChoiceAndLeavesTheField();
    void cancellingThePinDialogDeniesWithoutDigits();
    void thePinDialogClosesWhenTaplinkdWithdrawsTheQuestion();
    void theBrokerNeverSendsAPinThatIsNot4To12Digits();
    void aPagesPurchaseIsConfirmedAndPaidWithThePinTyped();
    void cancellingAtThePinChargesNothing();
};

}  // namespace taplink::gui::test
