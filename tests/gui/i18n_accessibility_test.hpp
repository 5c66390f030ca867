// The translations load (Simplified Chinese differs from English, for every window and every
// error text), and every control one can reach with the keyboard has an accessible name, in
// both languages; the trusted dialogs start on Deny. Needs no test bed: the windows are shown
// with taplinkd away.
#pragma once

#include <QObject>

namespace taplink::gui::test {

class I18nAccessibilityTest : public QObject {
    Q_OBJECT

  private slots:
    void cleanup();
    void simplifiedChineseDiffersFromEnglish();
    void everyControlHasAnAccessibleNameInEnglish();
    void everyControlHasAnAccessibleNameInChinese();
};

}  // namespace taplink::gui::test
