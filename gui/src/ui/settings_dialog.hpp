// Settings: taplinkd's (top-up server URL and pin, allowed websites, the kiosk confirmation
// policy; read with settings.get, written with settings.set) and the app's own (language, the
// demo shop). Saving sends taplinkd only what changed.
#pragma once

#include <QDialog>
#include <optional>

#include "core/app_settings.hpp"
#include "core/daemon_settings.hpp"
#include "core/rpc_types.hpp"

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QTabWidget;

namespace taplink::gui {

class DaemonConnection;
class WebsitesPage;

class SettingsDialog : public QDialog {
    Q_OBJECT

  public:
    explicit SettingsDialog(DaemonConnection& connection, QWidget* parent = nullptr);

    // True once taplinkd's settings are shown.
    bool loaded() const { return loaded_.has_value(); }
    WebsitesPage* websites() const { return websites_; }

    void accept() override;

  signals:
    void saved();

  private:
    QWidget* buildServerPage();
    QWidget* buildAppPage();
    void load();
    void display(const DaemonSettings& settings);
    DaemonSettings edited() const;
    bool checkInput();
    void saveAppSettings();
    void showError(const RpcError& error);

    DaemonConnection& connection_;
    std::optional<DaemonSettings> loaded_;
    QTabWidget* tabs_;
    QLabel* status_;
    QLineEdit* serverUrl_;
    QLineEdit* pin_;
    WebsitesPage* websites_;
    QComboBox* language_;
    QLineEdit* merchantUrl_;
    QLineEdit* merchantCa_;
    QDialogButtonBox* buttons_;
};

}  // namespace taplink::gui
