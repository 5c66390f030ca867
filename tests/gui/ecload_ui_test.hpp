// The GUI's EC-load (圈存) pieces without a daemon: the trusted dialogs for ui.request kinds
// "ecload" (confirm the amount and card, with the origin for web callers) and "application"
// (choose among the card's AIDs by label, in priority order), in English and Chinese; the
// wizard's choice between the city top-up and the bank EC load; the new error texts. And the
// wizard's whole EC load against the real taplinkd, with a bank card of each suite.
#pragma once

#include <QObject>

namespace taplink::gui::test {

class EcloadUiTest : public QObject {
    Q_OBJECT

  private slots:
    void theEcloadDialogAsksInBothLanguages();
    void aWebCallersEcloadShowsItsOrigin();
    void theApplicationDialogOffersTheAidsByPriorityAndAnswersWithTheChoice();
    void theWizardChoosesTheFlowByTheCardAndTheOrder();
    void theEcloadErrorsHaveTheirOwnTextsInBothLanguages();
    void aLockedChipIsExplainedInBothLanguages();
    void theWizardLoadsTheEcashInBothSuites_data();
    void theWizardLoadsTheEcashInBothSuites();
};

}  // namespace taplink::gui::test
