// The main window on the test bed: the reader and the secure chip with their live status, the
// card's details (scheme, masked serial, issuer, validity, balance) and its history from the
// card's own log; taking the card away and back is shown as it happens.
#pragma once

#include <QObject>

namespace taplink::gui::test {

class MainWindowTest : public QObject {
    Q_OBJECT

  private slots:
    void theWindowShowsTheReaderTheCardAndItsHistory();
    void takingTheCardAwayAndBackIsShownLive();
};

}  // namespace taplink::gui::test
