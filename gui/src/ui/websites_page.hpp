// The settings page for web pages: the origins allowed to use TapLink (review, revoke, add)
// and whether a web page's top-up asks the user first (ask) or not (auto: a kiosk).
#pragma once

#include <QStringList>
#include <QWidget>

class QLineEdit;
class QListWidget;
class QPushButton;
class QRadioButton;

namespace taplink::gui {

class WebsitesPage : public QWidget {
    Q_OBJECT

  public:
    explicit WebsitesPage(QWidget* parent = nullptr);

    void setOrigins(const QStringList& origins);
    QStringList origins() const;
    void setConfirmation(const QString& confirmation);
    QString confirmation() const;

  private:
    QWidget* buildConfirmationBox();
    void addOrigin();
    void removeSelected();

    QListWidget* list_;
    QPushButton* remove_;
    QLineEdit* newOrigin_;
    QPushButton* add_;
    QRadioButton* ask_;
    QRadioButton* kiosk_;
};

}  // namespace taplink::gui
