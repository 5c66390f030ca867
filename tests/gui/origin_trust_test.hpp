// Whether the browser vouched for a web caller's origin (ui.request's originVouched,
// docs/api.md "Trusted UI"): every trusted dialog that shows an origin says "verified by your
// browser" or, in a warning style, "claimed by a local program", in English and Chinese; and
// the questions taplinkd sends over the socket keep the distinction up to the dialog.
#pragma once

#include <QObject>

namespace taplink::gui::test {

class OriginTrustTest : public QObject {
    Q_OBJECT

  private slots:
    void cleanup();
    void theDialogsSayWhetherTheBrowserVouchedInBothLanguages();
    void taplinkdsQuestionsKeepTheirVouchingUpToTheDialog();
    void anUnknownKindIsDeniedUnseen();
};

}  // namespace taplink::gui::test
