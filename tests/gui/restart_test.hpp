// taplinkd restarting under the GUI: while it is away the window says so (and a top-up says
// what to do), and when it is back the GUI reconnects by itself, lists the readers again,
// gets the card events again and is the trusted UI again.
#pragma once

#include <QObject>

namespace taplink::gui::test {

class RestartTest : public QObject {
    Q_OBJECT

  private slots:
    void theGuiSurvivesADaemonRestart();
    void aCrashIsSurvivedToo();
};

}  // namespace taplink::gui::test
