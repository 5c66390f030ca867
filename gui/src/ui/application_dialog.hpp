// The trusted question taplinkd asks when a bank card offers several applications (ui.request
// kind "application", docs/api.md): which one to load, by its label, offered in the card's
// priority order (EMV Book 1 12.2.3; the first is selected). accept() answers with
// chosenAid(); reject() denies, and the EC load stops before anything is written.
#pragma once

#include <QDialog>

#include "core/api_types.hpp"

class QListWidget;
class QPushButton;

namespace taplink::gui {

class ApplicationDialog : public QDialog {
    Q_OBJECT

  public:
    explicit ApplicationDialog(const UiRequest& request, QWidget* parent = nullptr);

    const QString& requestId() const { return requestId_; }
    // The AID of the selected application; empty when none is.
    QString chosenAid() const;
    QListWidget* list() const { return list_; }
    QPushButton* chooseButton() const { return choose_; }
    QPushButton* denyButton() const { return deny_; }

  private:
    QString requestId_;
    QListWidget* list_;
    QPushButton* choose_;
    QPushButton* deny_;
};

}  // namespace taplink::gui
