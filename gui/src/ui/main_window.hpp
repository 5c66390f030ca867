// The main window: the readers with their live status, the card on the chosen reader
// (scheme, masked serial, issuer, validity, balance) and its history from the card's own log,
// with the top-up wizard, the dynamic token and settings a shortcut away. While taplinkd is away a
// banner says so.
#pragma once

#include <QMainWindow>
#include <QPointer>

class QLabel;
class QMenu;
class QTableView;

namespace taplink::gui {

class AppCore;
class SettingsDialog;
class TokenDialog;
class TopupWizard;
class TrayIcon;
class TrustedUiPresenter;

class MainWindow : public QMainWindow {
    Q_OBJECT

  public:
    explicit MainWindow(AppCore& core, QWidget* parent = nullptr);
    ~MainWindow() override;
    MainWindow(const MainWindow&) = delete;
    MainWindow& operator=(const MainWindow&) = delete;

    TopupWizard* openTopupWizard();
    SettingsDialog* openSettings();
    TokenDialog* openTokenDialog();

    // The open wizard and settings dialog, or null.
    TopupWizard* topupWizard() const;
    SettingsDialog* settingsDialog() const;
    TokenDialog* tokenDialog() const;
    TrustedUiPresenter& trustedUi() const { return *presenter_; }
    TrayIcon& tray() const { return *tray_; }

  protected:
    void closeEvent(QCloseEvent* event) override;

  private:
    void buildActions();
    QWidget* buildReaders();
    QWidget* buildHistory();
    void showConnectionStatus();
    void notifyWebTopup(const QString& orderId, const QString& state, qint64 amount);
    void showAbout();

    AppCore& core_;
    QTableView* readersView_ = nullptr;
    QLabel* statusLabel_ = nullptr;
    QMenu* trayMenu_ = nullptr;
    TrayIcon* tray_ = nullptr;
    TrustedUiPresenter* presenter_ = nullptr;
    QPointer<TopupWizard> wizard_;
    QPointer<SettingsDialog> settings_;
    QPointer<TokenDialog> token_;
};

}  // namespace taplink::gui
