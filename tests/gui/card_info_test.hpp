// The trusted question before a web page reads the card (ui.request kind "cardinfo",
// docs/api.md "card.info") in the real Qt window against a real taplinkd: the dialog names the
// site, the reader and what the page would see, in English and Chinese, with Deny the default;
// Allow lets the page read the card, Deny refuses it, and either answer holds for the origin
// so that the user is asked once.
#pragma once

#include <QObject>

namespace taplink::gui::test {

class CardInfoTest : public QObject {
    Q_OBJECT

  private slots:
    void cleanup();
    void allowLetsThePageReadTheCardAndIsAskedOnce();
    void denyInChineseHoldsForTheOrigin();
};

}  // namespace taplink::gui::test
