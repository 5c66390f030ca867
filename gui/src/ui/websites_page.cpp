#include "ui/websites_page.hpp"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QUrl>
#include <QVBoxLayout>

#include "ui/qt_new.hpp"

namespace taplink::gui {

WebsitesPage::WebsitesPage(QWidget* parent)
    : QWidget(parent),
      list_(qtNew<QListWidget>()),
      remove_(qtNew<QPushButton>(tr("&Remove"))),
      newOrigin_(qtNew<QLineEdit>()),
      add_(qtNew<QPushButton>(tr("A&dd"))),
      ask_(qtNew<QRadioButton>(tr("As&k me before every top-up a web page starts (recommended)"))),
      kiosk_(qtNew<QRadioButton>(
          tr("Do &not ask: this is a kiosk whose own screen shows the amount"))) {
    setObjectName("websitesPage");
    auto* layout = qtNew<QVBoxLayout>(this);
    auto* label = qtNew<QLabel>(tr("&Websites allowed to use the card reader:"));
    label->setBuddy(list_);
    list_->setObjectName("allowedOrigins");
    list_->setAccessibleName(tr("Websites allowed to use the card reader"));
    remove_->setObjectName("removeOrigin");
    remove_->setEnabled(false);
    newOrigin_->setObjectName("newOrigin");
    newOrigin_->setAccessibleName(tr("Website to allow"));
    newOrigin_->setPlaceholderText(QStringLiteral("https://shop.example"));
    add_->setObjectName("addOrigin");
    add_->setAutoDefault(false);
    remove_->setAutoDefault(false);
    auto* row = qtNew<QHBoxLayout>();
    row->addWidget(newOrigin_, 1);
    row->addWidget(add_);
    row->addWidget(remove_);
    layout->addWidget(label);
    layout->addWidget(list_);
    layout->addLayout(row);
    layout->addWidget(buildConfirmationBox());
    connect(list_, &QListWidget::itemSelectionChanged, this,
            [this] { remove_->setEnabled(!list_->selectedItems().isEmpty()); });
    connect(remove_, &QPushButton::clicked, this, &WebsitesPage::removeSelected);
    connect(add_, &QPushButton::clicked, this, &WebsitesPage::addOrigin);
    connect(newOrigin_, &QLineEdit::returnPressed, this, &WebsitesPage::addOrigin);
}

QWidget* WebsitesPage::buildConfirmationBox() {
    auto* box = qtNew<QGroupBox>(tr("Top-ups started by a web page"));
    auto* layout = qtNew<QVBoxLayout>(box);
    ask_->setObjectName("confirmationAsk");
    kiosk_->setObjectName("confirmationAuto");
    layout->addWidget(ask_);
    layout->addWidget(kiosk_);
    ask_->setChecked(true);
    return box;
}

void WebsitesPage::setOrigins(const QStringList& origins) {
    list_->clear();
    list_->addItems(origins);
}

QStringList WebsitesPage::origins() const {
    QStringList origins;
    for (int row = 0; row < list_->count(); ++row) {
        origins.append(list_->item(row)->text());
    }
    return origins;
}

void WebsitesPage::setConfirmation(const QString& confirmation) {
    (confirmation == QLatin1String("auto") ? kiosk_ : ask_)->setChecked(true);
}

QString WebsitesPage::confirmation() const {
    return kiosk_->isChecked() ? QStringLiteral("auto") : QStringLiteral("ask");
}

void WebsitesPage::addOrigin() {
    // taplinkd checks and canonicalises origins when the settings are saved.
    const QUrl url(newOrigin_->text().trimmed());
    if (!url.isValid() || url.host().isEmpty()) {
        return;
    }
    const QString origin = url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery |
                                        QUrl::RemoveFragment | QUrl::RemoveUserInfo)
                               .toString();
    if (list_->findItems(origin, Qt::MatchExactly).isEmpty()) {
        list_->addItem(origin);
    }
    newOrigin_->clear();
}

void WebsitesPage::removeSelected() {
    for (QListWidgetItem* item : list_->selectedItems()) {
        delete list_->takeItem(list_->row(item));  // NOLINT(cppcoreguidelines-owning-memory)
    }
}

}  // namespace taplink::gui
