// The dynamic token dialog (token.generate): Generate only with exactly 8 digits, one call per
// press with the challenge typed, the code and its counter shown and cleared when the
// challenge changes, the button disabled while the chip answers, each of the method's errors
// in its own words in both languages; and that nothing asks for a token by itself (start,
// reconnect, card events), since every call spends a chip counter. Against a fake taplinkd
// (fake_taplinkd.hpp): a payment applet that answers, is locked or is missing; and once on
// the test bed, where the bank accepts the code the dialog shows.
#pragma once

#include <QObject>

namespace taplink::gui::test {

class TokenUiTest : public QObject {
    Q_OBJECT

  private slots:
    void cleanup();
    void generateWaitsForExactlyEightDigits();
    void onePressIsOneCallAndShowsTheCodeAndCounter();
    void aChangedChallengeClearsTheCode();
    void nothingAsksForATokenByItself();
    void eachTokenErrorHasItsOwnTextInBothLanguages();
    void wrongPinAndLimitExceededHaveTextsInBothLanguages();
    void theChipsCodeIsShownAndTheBankAcceptsIt();
};

}  // namespace taplink::gui::test
