<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
    <context>
        <name>taplink::gui::ExpiryLabel</name>
        <message numerus="yes">
            <source>If you do not answer, this is refused in %n second(s).</source>
            <translation>
                <numerusform>If you do not answer, this is refused in %n second.</numerusform>
                <numerusform>If you do not answer, this is refused in %n seconds.</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::PinDialog</name>
        <message numerus="yes">
            <source>The PIN was wrong. %n tries left.</source>
            <translation>
                <numerusform>The PIN was wrong. %n try left.</numerusform>
                <numerusform>The PIN was wrong. %n tries left.</numerusform>
            </translation>
        </message>
    </context>
</TS>
