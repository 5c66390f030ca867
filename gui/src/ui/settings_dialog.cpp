#include "ui/settings_dialog.hpp"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

#include "core/api_name.hpp"
#include "core/daemon_connection.hpp"
#include "core/error_texts.hpp"
#include "ui/qt_new.hpp"
#include "ui/websites_page.hpp"

namespace taplink::gui {

namespace {

QLineEdit* lineEdit(const char* name, const QString& accessibleName) {
    auto* edit = qtNew<QLineEdit>();
    edit->setObjectName(name);
    edit->setAccessibleName(accessibleName);
    return edit;
}

}  // namespace

SettingsDialog::SettingsDialog(DaemonConnection& connection, QWidget* parent)
    : QDialog(parent),
      connection_(connection),
      tabs_(qtNew<QTabWidget>()),
      status_(qtNew<QLabel>()),
      serverUrl_(lineEdit("serverUrl", tr("Top-up server address"))),
      pin_(lineEdit("serverPin", tr("Server certificate pin"))),
      websites_(qtNew<WebsitesPage>()),
      language_(qtNew<QComboBox>()),
      merchantUrl_(lineEdit("merchantUrl", tr("Demo shop address"))),
      merchantCa_(lineEdit("merchantCa", tr("Demo shop certificate authority file"))),
      buttons_(qtNew<QDialogButtonBox>(QDialogButtonBox::Save | QDialogButtonBox::Cancel)) {
    setObjectName("settingsDialog");
    setWindowTitle(tr("TapLink settings"));
    tabs_->setObjectName("settingsTabs");
    tabs_->addTab(buildServerPage(), tr("Top-up &server"));
    tabs_->addTab(websites_, tr("&Websites"));
    tabs_->addTab(buildAppPage(), tr("A&pp"));
    tabs_->setAccessibleName(tr("Settings sections"));
    tabs_->tabBar()->setAccessibleName(tr("Settings sections"));
    status_->setObjectName("settingsStatus");
    status_->setWordWrap(true);
    buttons_->button(QDialogButtonBox::Save)->setText(tr("&Save"));
    buttons_->button(QDialogButtonBox::Cancel)->setText(tr("Cancel"));
    buttons_->button(QDialogButtonBox::Save)->setEnabled(false);
    connect(buttons_, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = qtNew<QVBoxLayout>(this);
    layout->addWidget(tabs_);
    layout->addWidget(status_);
    layout->addWidget(buttons_);
    load();
}

QWidget* SettingsDialog::buildServerPage() {
    auto* page = qtNew<QWidget>();
    auto* form = qtNew<QFormLayout>(page);
    serverUrl_->setPlaceholderText(QStringLiteral("https://topup.example:8443"));
    pin_->setPlaceholderText(tr("base64 SHA-256 of the server's public key"));
    form->addRow(tr("Server &address:"), serverUrl_);
    form->addRow(tr("Certificate &pin (SHA-256):"), pin_);
    auto* note =
        qtNew<QLabel>(tr("TapLink only talks to a server whose public key matches the pin."));
    note->setWordWrap(true);
    form->addRow(note);
    return page;
}

QWidget* SettingsDialog::buildAppPage() {
    const AppSettings app = AppSettings::load();
    auto* page = qtNew<QWidget>();
    auto* form = qtNew<QFormLayout>(page);
    language_->setObjectName("language");
    language_->setAccessibleName(tr("Language"));
    language_->addItem(tr("System language"), QString());
    language_->addItem(QStringLiteral("English"), QStringLiteral("en"));
    language_->addItem(QStringLiteral("简体中文"), QStringLiteral("zh_CN"));
    language_->setCurrentIndex(qMax(0, language_->findData(app.language)));
    form->addRow(tr("&Language:"), language_);
    form->addRow(qtNew<QLabel>(tr("A new language applies when TapLink starts again.")));
    merchantUrl_->setText(app.demoMerchantUrl.toString());
    merchantUrl_->setPlaceholderText(QStringLiteral("https://localhost:8443"));
    form->addRow(tr("&Demo shop address:"), merchantUrl_);
    auto* browse = qtNew<QPushButton>(tr("&Browse…"));
    browse->setObjectName("browseCa");
    browse->setAccessibleName(tr("Choose the demo shop certificate authority file"));
    browse->setAutoDefault(false);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(
            this, tr("Certificate authority"), merchantCa_->text(), tr("PEM files (*.pem *.crt)"));
        if (!file.isEmpty()) {
            merchantCa_->setText(file);
        }
    });
    merchantCa_->setText(app.demoMerchantCa);
    auto* row = qtNew<QHBoxLayout>();
    row->addWidget(merchantCa_, 1);
    row->addWidget(browse);
    form->addRow(tr("Demo shop &CA file:"), row);
    return page;
}

void SettingsDialog::load() {
    status_->setText(tr("Reading the settings of the TapLink service…"));
    connection_.call(apiName(api::method::kSettingsGet), {}, this, [this](const RpcReply& reply) {
        if (!reply.ok()) {
            showError(*reply.error);
            return;
        }
        display(daemonSettingsFromJson(reply.result));
    });
}

void SettingsDialog::display(const DaemonSettings& settings) {
    loaded_ = settings;
    serverUrl_->setText(settings.serverUrl);
    pin_->setText(settings.pinSha256);
    websites_->setOrigins(settings.allowedOrigins);
    websites_->setConfirmation(settings.confirmation);
    status_->clear();
    buttons_->button(QDialogButtonBox::Save)->setEnabled(true);
}

DaemonSettings SettingsDialog::edited() const {
    DaemonSettings settings = loaded_.value_or(DaemonSettings{});
    settings.serverUrl = serverUrl_->text().trimmed();
    settings.pinSha256 = pin_->text().trimmed();
    settings.allowedOrigins = websites_->origins();
    settings.confirmation = websites_->confirmation();
    return settings;
}

bool SettingsDialog::checkInput() {
    // Only what the user changed: taplinkd has the last word on the rest.
    const DaemonSettings settings = edited();
    QString problem;
    if (settings.serverUrl != loaded_->serverUrl) {
        problem = checkServerUrl(settings.serverUrl);
    }
    if (problem.isEmpty() && settings.pinSha256 != loaded_->pinSha256) {
        problem = checkPinSha256(settings.pinSha256);
    }
    if (!problem.isEmpty()) {
        tabs_->setCurrentIndex(0);
        status_->setText(problem);
    }
    return problem.isEmpty();
}

void SettingsDialog::accept() {
    if (!loaded_ || !checkInput()) {
        return;
    }
    const QJsonObject changes = settingsChanges(*loaded_, edited());
    if (changes.isEmpty()) {
        saveAppSettings();
        return;
    }
    buttons_->setEnabled(false);
    status_->setText(tr("Saving…"));
    connection_.call(apiName(api::method::kSettingsSet), changes, this,
                     [this](const RpcReply& reply) {
                         buttons_->setEnabled(true);
                         if (!reply.ok()) {
                             showError(*reply.error);
                             return;
                         }
                         loaded_ = daemonSettingsFromJson(reply.result);
                         saveAppSettings();
                     });
}

void SettingsDialog::saveAppSettings() {
    AppSettings app;
    app.language = language_->currentData().toString();
    app.demoMerchantUrl = QUrl(merchantUrl_->text().trimmed());
    app.demoMerchantCa = merchantCa_->text().trimmed();
    app.save();
    emit saved();
    QDialog::accept();
}

void SettingsDialog::showError(const RpcError& error) {
    const ErrorText text = describeError(error);
    QString shown = text.what + QLatin1Char(' ') + text.todo;
    if (error.code == FailureCode(api::ErrorCode::InvalidParams)) {
        shown += QLatin1Char(' ') + error.message;  // which setting taplinkd refused
    }
    status_->setText(shown);
}

}  // namespace taplink::gui
