#include "ui/application_dialog.hpp"

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/app_icon.hpp"
#include "ui/qt_new.hpp"
#include "ui/request_widgets.hpp"

namespace taplink::gui {

namespace {

constexpr int kAidRole = Qt::UserRole;

QListWidget* makeList(const ApplicationQuestion& question) {
    auto* list = qtNew<QListWidget>();
    list->setObjectName("applications");
    list->setAccessibleName(ApplicationDialog::tr("Applications on the card"));
    for (const ApplicationCandidate& candidate : question.candidates) {
        auto* item = qtNew<QListWidgetItem>(candidate.label, list);
        item->setData(kAidRole, candidate.aid);
        item->setToolTip(candidate.aid);
    }
    list->setCurrentRow(0);
    return list;
}

}  // namespace

ApplicationDialog::ApplicationDialog(const UiRequest& request, QWidget* parent)
    : QDialog(parent),
      requestId_(request.id),
      list_(makeList(request.application.value_or(ApplicationQuestion{}))),
      choose_(qtNew<QPushButton>(tr("&Use this one"))),
      deny_(qtNew<QPushButton>(tr("&Cancel the load"))) {
    setObjectName("applicationDialog");
    setWindowTitle(tr("TapLink — choose the card's application"));
    setWindowIcon(appIcon());
    setWindowFlag(Qt::WindowStaysOnTopHint);
    auto* layout = qtNew<QVBoxLayout>(this);
    if (!request.origin.isEmpty()) {
        layout->addWidget(makeOriginBlock(request));
    }
    auto* question =
        qtNew<QLabel>(tr("This card has several applications. Which one should "
                         "the e-cash be loaded onto?"));
    question->setObjectName("question");
    question->setWordWrap(true);
    layout->addWidget(question);
    layout->addWidget(list_);
    layout->addWidget(qtNew<ExpiryLabel>(request.expiresAt));
    choose_->setObjectName("chooseButton");
    deny_->setObjectName("denyButton");
    choose_->setDefault(true);
    auto* buttons = qtNew<QDialogButtonBox>();
    buttons->addButton(deny_, QDialogButtonBox::RejectRole);
    buttons->addButton(choose_, QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(list_, &QListWidget::itemDoubleClicked, this, &QDialog::accept);
    connect(list_, &QListWidget::currentRowChanged, this,
            [this](int row) { choose_->setEnabled(row >= 0); });
    choose_->setEnabled(list_->currentRow() >= 0);
    layout->addWidget(buttons);
    list_->setFocus();
}

QString ApplicationDialog::chosenAid() const {
    const QListWidgetItem* item = list_->currentItem();
    return item == nullptr ? QString() : item->data(kAidRole).toString();
}

}  // namespace taplink::gui
