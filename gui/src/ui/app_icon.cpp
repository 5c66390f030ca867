#include "ui/app_icon.hpp"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <array>

namespace taplink::gui {

namespace {

QPixmap drawIcon(int size) {
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    const qreal unit = size / 16.0;
    // The card.
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0x1f, 0x6f, 0xb5));
    painter.drawRoundedRect(QRectF(1 * unit, 3.5 * unit, 14 * unit, 9 * unit), unit, unit);
    painter.setBrush(QColor(0xf2, 0xc1, 0x4e));
    painter.drawRoundedRect(QRectF(2.5 * unit, 6 * unit, 3 * unit, 2.5 * unit), 0.5 * unit,
                            0.5 * unit);
    // The contactless waves.
    QPen wave(Qt::white, qMax(1.0, 0.9 * unit), Qt::SolidLine, Qt::RoundCap);
    painter.setPen(wave);
    painter.setBrush(Qt::NoBrush);
    for (int ring = 0; ring < 3; ++ring) {
        const qreal radius = (1.5 + 1.5 * ring) * unit;
        const QRectF box(9 * unit - radius, 8 * unit - radius, 2 * radius, 2 * radius);
        constexpr int kSixteenthsPerDegree = 16;
        painter.drawArc(box, -45 * kSixteenthsPerDegree, 90 * kSixteenthsPerDegree);
    }
    return pixmap;
}

}  // namespace

QIcon appIcon() {
    QIcon icon;
    constexpr std::array kSizes{16, 24, 32, 48, 64, 128, 256};
    for (const int size : kSizes) {
        icon.addPixmap(drawIcon(size));
    }
    return icon;
}

}  // namespace taplink::gui
