// The trusted confirmation dialog for a web page's top-up (docs/api.md "Confirmation"): a
// page connected the way taplink-nm connects it starts a top-up, taplinkd asks the GUI, and
// the dialog shows the origin, the amount and the card. Deny stops it before anything is
// written to the card; Allow lets it complete; a page that gives up closes the dialog.
#pragma once

#include <QObject>

namespace taplink::gui::test {

class ConfirmationTest : public QObject {
    Q_OBJECT

  private slots:
    void denyStopsTheTopUpBeforeAnyCardWrite();
    void allowCompletesTheTopUp();
    void theDialogClosesWhenThePageGivesUp();
};

}  // namespace taplink::gui::test
