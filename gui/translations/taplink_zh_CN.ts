<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>ErrorText</name>
        <message>
            <source>The TapLink service is not running.</source>
            <translation>TapLink 服务没有运行。</translation>
        </message>
        <message>
            <source>Start the TapLink service (systemctl --user start taplinkd). This window reconnects by itself.</source>
            <translation>请启动 TapLink 服务（systemctl --user start taplinkd）。本窗口会自动重新连接。</translation>
        </message>
        <message>
            <source>The TapLink service stopped before it answered.</source>
            <translation>TapLink 服务在答复之前停止了。</translation>
        </message>
        <message>
            <source>Wait until TapLink has reconnected, check the balance, then try again. An order is never loaded twice.</source>
            <translation>请等待 TapLink 重新连接，查看余额后再试。同一订单绝不会重复充值。</translation>
        </message>
        <message>
            <source>The TapLink service gave an answer this app does not understand.</source>
            <translation>TapLink 服务返回了本程序无法理解的答复。</translation>
        </message>
        <message>
            <source>Make sure the app and the service come from the same TapLink version.</source>
            <translation>请确认本程序与服务来自同一 TapLink 版本。</translation>
        </message>
        <message>
            <source>Something in the request is not valid, for example the order code.</source>
            <translation>请求中有无效内容，例如订单号。</translation>
        </message>
        <message>
            <source>Check what you entered and try again.</source>
            <translation>请检查输入的内容后再试。</translation>
        </message>
        <message>
            <source>No card reader is connected.</source>
            <translation>没有连接读卡器。</translation>
        </message>
        <message>
            <source>Plug in the card reader, then try again.</source>
            <translation>请插上读卡器后再试。</translation>
        </message>
        <message>
            <source>The smart card service (pcscd) is not running.</source>
            <translation>智能卡服务（pcscd）没有运行。</translation>
        </message>
        <message>
            <source>Start it (systemctl start pcscd.socket), then try again.</source>
            <translation>请启动它（systemctl start pcscd.socket）后再试。</translation>
        </message>
        <message>
            <source>There is no card on the reader.</source>
            <translation>读卡器上没有卡。</translation>
        </message>
        <message>
            <source>Place the card on the reader, then try again.</source>
            <translation>请把卡放到读卡器上后再试。</translation>
        </message>
        <message>
            <source>The card was taken off the reader too early.</source>
            <translation>卡片过早离开了读卡器。</translation>
        </message>
        <message>
            <source>Put the card back and keep it there until TapLink says it is done, then try again. Nothing is loaded twice.</source>
            <translation>请把卡放回读卡器，直到 TapLink 提示完成后再拿开，然后重试。不会重复充值。</translation>
        </message>
        <message>
            <source>This card is not one TapLink can top up.</source>
            <translation>TapLink 无法为这张卡充值。</translation>
        </message>
        <message>
            <source>Use a city transport card.</source>
            <translation>请使用城市交通卡。</translation>
        </message>
        <message>
            <source>The top-up server cannot be reached.</source>
            <translation>无法连接充值服务器。</translation>
        </message>
        <message>
            <source>Check the network connection and try again in a moment. If it keeps happening, check the server address in Settings.</source>
            <translation>请检查网络连接，稍后再试。如果问题持续，请在“设置”中检查服务器地址。</translation>
        </message>
        <message>
            <source>The top-up server reported a problem.</source>
            <translation>充值服务器报告了一个问题。</translation>
        </message>
        <message>
            <source>Try again in a moment. If it keeps happening, contact the operator.</source>
            <translation>请稍后再试。如果问题持续，请联系运营方。</translation>
        </message>
        <message>
            <source>The top-up server sent instructions that failed TapLink's security check. Nothing was written to the card.</source>
            <translation>充值服务器发来的指令未通过 TapLink 的安全检查。卡上没有写入任何内容。</translation>
        </message>
        <message>
            <source>Do not try again; contact the operator.</source>
            <translation>请不要重试，并联系运营方。</translation>
        </message>
        <message>
            <source>The top-up server does not know this order code.</source>
            <translation>充值服务器不认识这个订单号。</translation>
        </message>
        <message>
            <source>Check the order code and enter it again.</source>
            <translation>请核对订单号后重新输入。</translation>
        </message>
        <message>
            <source>This order has already been paid or loaded.</source>
            <translation>该订单已经支付或充值过了。</translation>
        </message>
        <message>
            <source>Check the card's balance; for another top-up, use a new order.</source>
            <translation>请查看卡内余额；如需再次充值，请使用新的订单。</translation>
        </message>
        <message>
            <source>The top-up was declined.</source>
            <translation>充值被拒绝。</translation>
        </message>
        <message>
            <source>Contact whoever issued the order.</source>
            <translation>请联系开具该订单的商家。</translation>
        </message>
        <message>
            <source>The top-up was cancelled. Nothing was loaded.</source>
            <translation>充值已取消，没有充入任何金额。</translation>
        </message>
        <message>
            <source>Start it again when you are ready.</source>
            <translation>准备好后请重新开始。</translation>
        </message>
        <message>
            <source>It took too long, for example no card was presented in time.</source>
            <translation>等待超时，例如没有及时放卡。</translation>
        </message>
        <message>
            <source>Place the card on the reader and try again.</source>
            <translation>请把卡放到读卡器上再试。</translation>
        </message>
        <message>
            <source>This device's secure chip is missing or not working.</source>
            <translation>本设备的安全芯片缺失或无法工作。</translation>
        </message>
        <message>
            <source>Contact the operator of this device.</source>
            <translation>请联系本设备的运营方。</translation>
        </message>
        <message>
            <source>The card has already been written, so the top-up will complete.</source>
            <translation>卡片已经写入，充值将会完成。</translation>
        </message>
        <message>
            <source>Wait for the receipt.</source>
            <translation>请等待充值凭条。</translation>
        </message>
        <message>
            <source>The card reader is busy with another operation.</source>
            <translation>读卡器正忙于其他操作。</translation>
        </message>
        <message>
            <source>Wait until it has finished, then try again.</source>
            <translation>请等它完成后再试。</translation>
        </message>
        <message>
            <source>TapLink has no record of this.</source>
            <translation>TapLink 没有这条记录。</translation>
        </message>
        <message>
            <source>Check the order code.</source>
            <translation>请核对订单号。</translation>
        </message>
        <message>
            <source>Something went wrong inside TapLink.</source>
            <translation>TapLink 内部出现错误。</translation>
        </message>
        <message>
            <source>Try again. If it keeps happening, send the TapLink service log (journalctl --user -u taplinkd) to support.</source>
            <translation>请重试。如果问题持续，请把 TapLink 服务日志（journalctl --user -u taplinkd）发给技术支持。</translation>
        </message>
        <message>
            <source>This website is not allowed to use the card reader.</source>
            <translation>该网站未被允许使用读卡器。</translation>
        </message>
        <message>
            <source>If you trust it, allow it when TapLink asks, or add it in Settings, Websites.</source>
            <translation>如果您信任它，请在 TapLink 询问时允许，或在“设置 › 网站”中添加。</translation>
        </message>
        <message>
            <source>The top-up was refused in the confirmation dialog. Nothing was written to the card.</source>
            <translation>充值在确认对话框中被拒绝。卡上没有写入任何内容。</translation>
        </message>
        <message>
            <source>Start it again from the web page if you want to go on.</source>
            <translation>如需继续，请在网页上重新开始。</translation>
        </message>
        <message>
            <source>A web page's top-up needs your confirmation, but the TapLink app was not running.</source>
            <translation>网页发起的充值需要您确认，但 TapLink 应用没有运行。</translation>
        </message>
        <message>
            <source>Start the TapLink app, then try again.</source>
            <translation>请启动 TapLink 应用后再试。</translation>
        </message>
        <message>
            <source>A web page sent too many requests.</source>
            <translation>网页发送的请求过多。</translation>
        </message>
        <message>
            <source>Reload the page and try again.</source>
            <translation>请刷新网页后再试。</translation>
        </message>
        <message>
            <source>The demo shop could not create the order.</source>
            <translation>演示商店无法创建订单。</translation>
        </message>
        <message>
            <source>Check the demo shop address and its certificate file in Settings, or enter an order code instead.</source>
            <translation>请在“设置”中检查演示商店地址及其证书文件，或直接输入订单号。</translation>
        </message>
        <message>
            <source>This card does not fit the order: a city card is topped up, a bank card's e-cash is loaded (圈存).</source>
            <translation>这张卡与订单不符：城市交通卡用于充值，银行卡用于圈存电子现金。</translation>
        </message>
        <message>
            <source>Place the card the order is for, or use an order made for this card.</source>
            <translation>请放上订单对应的卡，或使用为这张卡创建的订单。</translation>
        </message>
        <message>
            <source>The card cannot hold that much e-cash: the amount would take it over its limit. Nothing was loaded.</source>
            <translation>卡内电子现金将超过上限，无法圈存这个金额。没有圈存任何金额。</translation>
        </message>
        <message>
            <source>Use an order for a smaller amount, or spend some of the card's e-cash first.</source>
            <translation>请使用金额较小的订单，或先消费部分电子现金。</translation>
        </message>
        <message>
            <source>The bank card has expired. Nothing was loaded.</source>
            <translation>银行卡已过期。没有圈存任何金额。</translation>
        </message>
        <message>
            <source>Use a bank card that is still valid.</source>
            <translation>请使用仍在有效期内的银行卡。</translation>
        </message>
        <message>
            <source>This bank card has no e-cash application TapLink can load.</source>
            <translation>这张银行卡没有 TapLink 可以圈存的电子现金应用。</translation>
        </message>
        <message>
            <source>Use a bank card with e-cash (PBOC), or ask the bank.</source>
            <translation>请使用支持电子现金（PBOC）的银行卡，或咨询发卡银行。</translation>
        </message>
        <message>
            <source>The bank card's PIN is blocked. Nothing was loaded.</source>
            <translation>银行卡密码已锁定。没有圈存任何金额。</translation>
        </message>
        <message>
            <source>Contact the issuing bank to unblock the PIN, then try again.</source>
            <translation>请联系发卡银行解除密码锁定后再试。</translation>
        </message>
        <message>
            <source>This device's secure chip has been locked by its operator. Nothing was loaded or charged.</source>
            <translation>本设备的安全芯片已被运营方锁定。没有充值，也没有扣款。</translation>
        </message>
        <message>
            <source>Contact the operator of this device to have it unlocked.</source>
            <translation>请联系本设备的运营方解除锁定。</translation>
        </message>
        <message>
            <source>This device's secure chip has older payment limits than the payment server requires. The card was not touched and nothing was charged.</source>
            <translation>本设备安全芯片中的支付参数比支付服务器要求的旧。没有读写银行卡，也没有扣款。</translation>
        </message>
        <message>
            <source>Contact the operator of this device to update its chip, then try again.</source>
            <translation>请联系本设备的运营方更新芯片，然后重试。</translation>
        </message>
        <message>
            <source>The bank refused the PIN: it was wrong. Nothing was charged.</source>
            <translation>银行拒绝了密码：密码错误。没有扣款。</translation>
        </message>
        <message>
            <source>Try again with the card's PIN. After too many wrong PINs the bank blocks it.</source>
            <translation>请输入正确的银行卡密码后重试。密码错误次数过多，银行会锁定密码。</translation>
        </message>
        <message>
            <source>The amount is over this device's limit for one payment or for today. Nothing was charged.</source>
            <translation>金额超过了本设备的单笔或当日支付限额。没有扣款。</translation>
        </message>
        <message>
            <source>Pay a smaller amount, or wait until tomorrow.</source>
            <translation>请支付较小的金额，或明天再试。</translation>
        </message>
        <message>
            <source>The challenge is not 8 digits. No code was generated.</source>
            <translation>挑战码不是 8 位数字。没有生成动态口令。</translation>
        </message>
        <message>
            <source>Type the 8-digit challenge your bank gave you, then press Generate.</source>
            <translation>请输入银行给您的 8 位挑战码，然后按“生成”。</translation>
        </message>
        <message>
            <source>This device's payment applet is not activated yet, or its operator has locked it. No code was generated.</source>
            <translation>本设备的支付应用尚未激活，或已被运营方锁定。没有生成动态口令。</translation>
        </message>
        <message>
            <source>This device's secure chip has no payment applet, so it cannot give a dynamic token.</source>
            <translation>本设备的安全芯片没有支付应用，无法生成动态口令。</translation>
        </message>
    </context>
    <context>
        <name>ProgressPage</name>
        <message>
            <source>Waiting for the card</source>
            <translation>等待放卡</translation>
        </message>
        <message>
            <source>Place the card on the reader.</source>
            <translation>请把卡放到读卡器上。</translation>
        </message>
        <message>
            <source>Authorizing with the top-up server</source>
            <translation>向充值服务器申请授权</translation>
        </message>
        <message>
            <source>Checking the order with the top-up server…</source>
            <translation>正在向充值服务器核对订单…</translation>
        </message>
        <message>
            <source>Writing to the card</source>
            <translation>写卡</translation>
        </message>
        <message>
            <source>Loading the card. Keep it on the reader.</source>
            <translation>正在充值，请不要移开卡片。</translation>
        </message>
        <message>
            <source>Confirming with the top-up server</source>
            <translation>向充值服务器确认</translation>
        </message>
        <message>
            <source>Confirming with the top-up server…</source>
            <translation>正在向充值服务器确认…</translation>
        </message>
        <message>
            <source>Choosing the card's application</source>
            <translation>选择卡片应用</translation>
        </message>
        <message>
            <source>Choose the application in the TapLink window.</source>
            <translation>请在 TapLink 窗口中选择应用。</translation>
        </message>
    </context>
    <context>
        <name>Settings</name>
        <message>
            <source>The server address must be an https:// address.</source>
            <translation>服务器地址必须以 https:// 开头。</translation>
        </message>
        <message>
            <source>The pin must be the base64 SHA-256 of the server's public key (44 characters).</source>
            <translation>证书指纹必须是服务器公钥的 SHA-256（base64 编码，44 个字符）。</translation>
        </message>
    </context>
    <context>
        <name>main</name>
        <message>
            <source>TapLink: top up transit cards on this computer.</source>
            <translation>TapLink：在这台电脑上为交通卡充值。</translation>
        </message>
        <message>
            <source>taplinkd's socket (default: as taplinkd's own rule).</source>
            <translation>taplinkd 的套接字（默认：与 taplinkd 自身规则相同）。</translation>
        </message>
        <message>
            <source>Start in the tray, for the session's autostart.</source>
            <translation>启动时只显示托盘图标，用于登录自启动。</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::ApplicationDialog</name>
        <message>
            <source>Applications on the card</source>
            <translation>卡上的应用</translation>
        </message>
        <message>
            <source>&amp;Use this one</source>
            <translation>使用这个应用(&amp;U)</translation>
        </message>
        <message>
            <source>&amp;Cancel the load</source>
            <translation>取消圈存(&amp;C)</translation>
        </message>
        <message>
            <source>TapLink — choose the card's application</source>
            <translation>TapLink — 选择卡片应用</translation>
        </message>
        <message>
            <source>This card has several applications. Which one should the e-cash be loaded onto?</source>
            <translation>这张卡有多个应用。要把电子现金圈存到哪一个？</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::CardInfoDialog</name>
        <message>
            <source>&amp;Show it</source>
            <translation>显示(&amp;S)</translation>
        </message>
        <message>
            <source>&amp;Deny</source>
            <translation>拒绝(&amp;D)</translation>
        </message>
        <message>
            <source>TapLink — show your card to a website?</source>
            <translation>TapLink — 向网站显示您的卡片吗？</translation>
        </message>
        <message>
            <source>%1 wants to read the card on %2: its number (partly hidden), balance, issuer and validity. TapLink asks once for this website.</source>
            <translation>%1 想读取 %2 上的卡片：卡号（部分隐藏）、余额、发卡方和有效期。TapLink 对每个网站只询问一次。</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::CardPanel</name>
        <message>
            <source>Card</source>
            <translation>卡片</translation>
        </message>
        <message>
            <source>Reader</source>
            <translation>读卡器</translation>
        </message>
        <message>
            <source>Issuer</source>
            <translation>发卡方</translation>
        </message>
        <message>
            <source>Valid</source>
            <translation>有效期</translation>
        </message>
        <message>
            <source>Balance</source>
            <translation>余额</translation>
        </message>
        <message>
            <source>Balance:</source>
            <translation>余额：</translation>
        </message>
        <message>
            <source>Card:</source>
            <translation>卡片：</translation>
        </message>
        <message>
            <source>Issuer:</source>
            <translation>发卡方：</translation>
        </message>
        <message>
            <source>Valid:</source>
            <translation>有效期：</translation>
        </message>
        <message>
            <source>Reader:</source>
            <translation>读卡器：</translation>
        </message>
        <message>
            <source>The TapLink service is not running.</source>
            <translation>TapLink 服务没有运行。</translation>
        </message>
        <message>
            <source>No card reader is connected. Plug one in.</source>
            <translation>没有连接读卡器，请插上一个。</translation>
        </message>
        <message>
            <source>Place a card on the reader.</source>
            <translation>请把卡放到读卡器上。</translation>
        </message>
        <message>
            <source>Reading the card…</source>
            <translation>正在读卡…</translation>
        </message>
        <message>
            <source>%1 to %2</source>
            <translation>%1 至 %2</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::ConfirmPage</name>
        <message>
            <source>Check and top up</source>
            <translation>核对并充值</translation>
        </message>
        <message>
            <source>TapLink loads the amount of the order onto the card. Keep the card on the reader until it is done.</source>
            <translation>TapLink 会把订单金额充入卡中。完成之前请不要移开卡片。</translation>
        </message>
        <message>
            <source>Order:</source>
            <translation>订单：</translation>
        </message>
        <message>
            <source>Amount:</source>
            <translation>金额：</translation>
        </message>
        <message>
            <source>Card:</source>
            <translation>卡片：</translation>
        </message>
        <message>
            <source>No card on the reader yet: you will be asked to place it.</source>
            <translation>读卡器上还没有卡：稍后会提示您放卡。</translation>
        </message>
        <message>
            <source>%1, balance now %2</source>
            <translation>%1，当前余额 %2</translation>
        </message>
        <message>
            <source>As set by the order; the receipt shows it.</source>
            <translation>以订单为准，凭条上会显示。</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::ConfirmationDialog</name>
        <message>
            <source>Load %1 onto card %2 for %3?</source>
            <translation>为 %3 向卡 %2 充值 %1？</translation>
        </message>
        <message>
            <source>&amp;Allow</source>
            <translation>允许(&amp;A)</translation>
        </message>
        <message>
            <source>&amp;Deny</source>
            <translation>拒绝(&amp;D)</translation>
        </message>
        <message>
            <source>TapLink — confirm a top-up</source>
            <translation>TapLink — 确认充值</translation>
        </message>
        <message>
            <source>Amount:</source>
            <translation>金额：</translation>
        </message>
        <message>
            <source>Card:</source>
            <translation>卡片：</translation>
        </message>
        <message>
            <source>Reader:</source>
            <translation>读卡器：</translation>
        </message>
        <message>
            <source>Order:</source>
            <translation>订单：</translation>
        </message>
        <message>
            <source>Allow it only if you started this top-up on %1 yourself.</source>
            <translation>只有在您本人于 %1 上发起了这次充值时，才允许。</translation>
        </message>
        <message>
            <source>Load %1 onto card %2?</source>
            <translation>圈存 %1 到卡 %2？</translation>
        </message>
        <message>
            <source>TapLink — confirm an EC load</source>
            <translation>TapLink — 确认圈存</translation>
        </message>
        <message>
            <source>The amount is moved from your bank account onto the card's e-cash.</source>
            <translation>该金额将从您的银行账户转入卡内电子现金。</translation>
        </message>
        <message>
            <source>Allow it only if you started this EC load on %1 yourself.</source>
            <translation>只有在您本人于 %1 上发起了这次圈存时，才允许。</translation>
        </message>
        <message>
            <source>Pay %1 to %2 with card %3?</source>
            <translation>用卡 %3 向 %2 支付 %1？</translation>
        </message>
        <message>
            <source>TapLink — confirm a payment</source>
            <translation>TapLink — 确认支付</translation>
        </message>
        <message>
            <source>The amount is charged to your bank card's account.</source>
            <translation>该金额将从您银行卡的账户中扣除。</translation>
        </message>
        <message>
            <source>Allow it only if you started this payment on %1 yourself.</source>
            <translation>只有在您本人于 %1 上发起了这次支付时，才允许。</translation>
        </message>
        <message>
            <source>Merchant:</source>
            <translation>商户：</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::ConnectionBanner</name>
        <message>
            <source>Connection to the TapLink service</source>
            <translation>与 TapLink 服务的连接</translation>
        </message>
        <message>
            <source>Connecting to the TapLink service…</source>
            <translation>正在连接 TapLink 服务…</translation>
        </message>
        <message>
            <source>TapLink service is not running — reconnecting…</source>
            <translation>TapLink 服务没有运行 — 正在重新连接…</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::ExpiryLabel</name>
        <message>
            <source>through the TapLink browser extension</source>
            <translation>通过 TapLink 浏览器扩展</translation>
        </message>
        <message>
            <source>through a direct connection from the web page</source>
            <translation>通过网页的直接连接</translation>
        </message>
        <message>
            <source>Website</source>
            <translation>网站</translation>
        </message>
        <message numerus="yes">
            <source>If you do not answer, this is refused in %n second(s).</source>
            <translation>
                <numerusform>如果您不作答，%n 秒后将自动拒绝。</numerusform>
            </translation>
        </message>
        <message>
            <source>Verified by your browser</source>
            <translation>已由浏览器验证</translation>
        </message>
        <message>
            <source>Claimed by a local program; not verified by the browser</source>
            <translation>由本机程序声明，未经浏览器验证</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::HistoryModel</name>
        <message>
            <source>Top-up</source>
            <translation>充值</translation>
        </message>
        <message>
            <source>Purchase</source>
            <translation>消费</translation>
        </message>
        <message>
            <source>Date and time</source>
            <translation>日期和时间</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>Amount</source>
            <translation>金额</translation>
        </message>
        <message>
            <source>Balance after</source>
            <translation>交易后余额</translation>
        </message>
        <message>
            <source>Terminal</source>
            <translation>终端</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::MainWindow</name>
        <message>
            <source>TapLink</source>
            <translation>TapLink 卡务</translation>
        </message>
        <message>
            <source>&amp;Top up a card…</source>
            <translation>为卡充值(&amp;T)…</translation>
        </message>
        <message>
            <source>&amp;Refresh</source>
            <translation>刷新(&amp;R)</translation>
        </message>
        <message>
            <source>&amp;Settings…</source>
            <translation>设置(&amp;S)…</translation>
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation>退出(&amp;Q)</translation>
        </message>
        <message>
            <source>&amp;About TapLink</source>
            <translation>关于 TapLink(&amp;A)</translation>
        </message>
        <message>
            <source>&amp;TapLink</source>
            <translation>TapLink(&amp;T)</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>帮助(&amp;H)</translation>
        </message>
        <message>
            <source>Main</source>
            <translation>主工具栏</translation>
        </message>
        <message>
            <source>&amp;Show TapLink</source>
            <translation>显示 TapLink(&amp;S)</translation>
        </message>
        <message>
            <source>Card readers</source>
            <translation>读卡器</translation>
        </message>
        <message>
            <source>History (from the card)</source>
            <translation>交易记录（读自卡片）</translation>
        </message>
        <message>
            <source>Card history</source>
            <translation>卡片交易记录</translation>
        </message>
        <message>
            <source>Connected to the TapLink service; web top-ups are confirmed here.</source>
            <translation>已连接 TapLink 服务；网页发起的充值在此确认。</translation>
        </message>
        <message>
            <source>Connected to the TapLink service.</source>
            <translation>已连接 TapLink 服务。</translation>
        </message>
        <message>
            <source>Connecting to the TapLink service…</source>
            <translation>正在连接 TapLink 服务…</translation>
        </message>
        <message>
            <source>TapLink service is not running — reconnecting…</source>
            <translation>TapLink 服务没有运行 — 正在重新连接…</translation>
        </message>
        <message>
            <source>Top-up finished</source>
            <translation>充值完成</translation>
        </message>
        <message>
            <source>%1 loaded; the balance is now %2.</source>
            <translation>已充值 %1，当前余额 %2。</translation>
        </message>
        <message>
            <source>Top-up failed</source>
            <translation>充值失败</translation>
        </message>
        <message>
            <source>About TapLink</source>
            <translation>关于 TapLink</translation>
        </message>
        <message>
            <source>TapLink tops up transit cards on this computer's card reader.
This app talks only to the TapLink service (taplinkd) on %1.</source>
            <translation>TapLink 通过这台电脑的读卡器为交通卡充值。
本程序只与 %1 上的 TapLink 服务（taplinkd）通信。</translation>
        </message>
        <message>
            <source>TapLink is still running</source>
            <translation>TapLink 仍在运行</translation>
        </message>
        <message>
            <source>It stays in the tray to confirm top-ups that web pages start.</source>
            <translation>它留在系统托盘中，用于确认网页发起的充值。</translation>
        </message>
        <message>
            <source>The web page's top-up (order %1) did not go through.</source>
            <translation>网页发起的充值（订单 %1）没有成功。</translation>
        </message>
        <message>
            <source>%1 loaded (order %2).</source>
            <translation>已充值 %1（订单 %2）。</translation>
        </message>
        <message>
            <source>&amp;Dynamic token…</source>
            <translation>动态口令(&amp;D)…</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::OrderPage</name>
        <message>
            <source>Order</source>
            <translation>订单</translation>
        </message>
        <message>
            <source>&amp;Order code:</source>
            <translation>订单号(&amp;O)：</translation>
        </message>
        <message>
            <source>Order code</source>
            <translation>订单号</translation>
        </message>
        <message>
            <source>ORD-…</source>
            <translation>ORD-…</translation>
        </message>
        <message>
            <source>Or choose an amount at the demo shop</source>
            <translation>或在演示商店选择金额</translation>
        </message>
        <message>
            <source>Top up %1</source>
            <translation>充值 %1</translation>
        </message>
        <message>
            <source>Creating the order at the demo shop…</source>
            <translation>正在演示商店创建订单…</translation>
        </message>
        <message>
            <source>Enter or scan the order code you were given (it starts with ORD-).</source>
            <translation>请输入或扫描您拿到的订单号（以 ORD- 开头）。</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::OriginApprovalDialog</name>
        <message>
            <source>&amp;Deny</source>
            <translation>拒绝(&amp;D)</translation>
        </message>
        <message>
            <source>Allow &amp;once</source>
            <translation>仅允许这一次(&amp;O)</translation>
        </message>
        <message>
            <source>Al&amp;ways allow</source>
            <translation>始终允许(&amp;W)</translation>
        </message>
        <message>
            <source>TapLink — allow a website?</source>
            <translation>TapLink — 允许这个网站吗？</translation>
        </message>
        <message>
            <source>Allow %1 to use your card reader? It may ask to see your card and to top it up.</source>
            <translation>允许 %1 使用您的读卡器吗？它可以请求查看您的卡片，以及为卡充值。</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::PinDialog</name>
        <message>
            <source>Card PIN</source>
            <translation>银行卡密码</translation>
        </message>
        <message>
            <source>4 to 12 digits</source>
            <translation>4 到 12 位数字</translation>
        </message>
        <message>
            <source>&amp;Pay</source>
            <translation>支付(&amp;P)</translation>
        </message>
        <message>
            <source>&amp;Cancel the payment</source>
            <translation>取消支付(&amp;C)</translation>
        </message>
        <message>
            <source>TapLink — enter the card's PIN</source>
            <translation>TapLink — 输入银行卡密码</translation>
        </message>
        <message>
            <source>Enter the card's PIN to pay %1 to %2.</source>
            <translation>请输入银行卡密码，向 %2 支付 %1。</translation>
        </message>
        <message>
            <source>The device's secure chip encrypts the PIN for your bank; TapLink never stores it.</source>
            <translation>本设备的安全芯片会为您的银行加密该密码；TapLink 从不保存它。</translation>
        </message>
        <message>
            <source>Amount:</source>
            <translation>金额：</translation>
        </message>
        <message>
            <source>Merchant:</source>
            <translation>商户：</translation>
        </message>
        <message>
            <source>Card:</source>
            <translation>卡片：</translation>
        </message>
        <message>
            <source>PI&amp;N:</source>
            <translation>密码(&amp;N)：</translation>
        </message>
        <message numerus="yes">
            <source>The PIN was wrong. %n tries left.</source>
            <translation>
                <numerusform>密码错误。还可尝试 %n 次。</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::ProgressPage</name>
        <message>
            <source>Topping up</source>
            <translation>正在充值</translation>
        </message>
        <message>
            <source>Top-up progress</source>
            <translation>充值进度</translation>
        </message>
        <message>
            <source>&amp;Try again</source>
            <translation>重试(&amp;T)</translation>
        </message>
        <message>
            <source>Use &amp;another order</source>
            <translation>使用其他订单(&amp;A)</translation>
        </message>
        <message>
            <source>Starting the top-up…</source>
            <translation>正在开始充值…</translation>
        </message>
        <message>
            <source>The top-up did not go through.</source>
            <translation>充值没有成功。</translation>
        </message>
        <message>
            <source>Loading e-cash (圈存)</source>
            <translation>正在圈存</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::ReadersModel</name>
        <message>
            <source>City card %1</source>
            <translation>城市交通卡 %1</translation>
        </message>
        <message>
            <source>Unsupported card %1</source>
            <translation>不支持的卡 %1</translation>
        </message>
        <message>
            <source>Not available</source>
            <translation>不可用</translation>
        </message>
        <message>
            <source>No card</source>
            <translation>无卡</translation>
        </message>
        <message>
            <source>Ready</source>
            <translation>就绪</translation>
        </message>
        <message>
            <source>Card reader</source>
            <translation>读卡器</translation>
        </message>
        <message>
            <source>Secure chip</source>
            <translation>安全芯片</translation>
        </message>
        <message>
            <source>Reader</source>
            <translation>读卡器</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Bank card %1</source>
            <translation>银行卡 %1</translation>
        </message>
        <message>
            <source>Locked by its operator: nothing can be loaded</source>
            <translation>已被运营方锁定：无法充值</translation>
        </message>
        <message>
            <source>Not activated by its operator yet</source>
            <translation>运营方尚未激活</translation>
        </message>
        <message>
            <source>Ready: load SAM operational</source>
            <translation>就绪：充值安全模块可用</translation>
        </message>
        <message>
            <source>Ready: load SAM operational, payment applet %1</source>
            <translation>就绪：充值安全模块可用，支付应用%1</translation>
        </message>
        <message>
            <source>operational</source>
            <translation>可用</translation>
        </message>
        <message>
            <source>locked</source>
            <translation>已锁定</translation>
        </message>
        <message>
            <source>not activated</source>
            <translation>未激活</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::ReceiptPage</name>
        <message>
            <source>Top-up complete</source>
            <translation>充值完成</translation>
        </message>
        <message>
            <source>You can take the card off the reader.</source>
            <translation>现在可以拿开卡片了。</translation>
        </message>
        <message>
            <source>Loaded:</source>
            <translation>充值金额：</translation>
        </message>
        <message>
            <source>Balance:</source>
            <translation>余额：</translation>
        </message>
        <message>
            <source>Order:</source>
            <translation>订单：</translation>
        </message>
        <message>
            <source>Card certificate (TAC):</source>
            <translation>卡片交易认证码（TAC）：</translation>
        </message>
        <message>
            <source>Server:</source>
            <translation>服务器：</translation>
        </message>
        <message>
            <source>%1 → %2</source>
            <translation>%1 → %2</translation>
        </message>
        <message>
            <source>Confirmed by the top-up server.</source>
            <translation>充值服务器已确认。</translation>
        </message>
        <message>
            <source>Loaded onto the card; TapLink is still confirming it with the top-up server and finishes that by itself.</source>
            <translation>已充入卡中；TapLink 仍在向充值服务器确认，并会自动完成。</translation>
        </message>
        <message>
            <source>E-cash loaded (圈存)</source>
            <translation>圈存完成</translation>
        </message>
        <message>
            <source>Card:</source>
            <translation>卡片：</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::SettingsDialog</name>
        <message>
            <source>Top-up server address</source>
            <translation>充值服务器地址</translation>
        </message>
        <message>
            <source>Server certificate pin</source>
            <translation>服务器证书指纹</translation>
        </message>
        <message>
            <source>Demo shop address</source>
            <translation>演示商店地址</translation>
        </message>
        <message>
            <source>Demo shop certificate authority file</source>
            <translation>演示商店的证书颁发机构文件</translation>
        </message>
        <message>
            <source>TapLink settings</source>
            <translation>TapLink 设置</translation>
        </message>
        <message>
            <source>Top-up &amp;server</source>
            <translation>充值服务器(&amp;S)</translation>
        </message>
        <message>
            <source>&amp;Websites</source>
            <translation>网站(&amp;W)</translation>
        </message>
        <message>
            <source>A&amp;pp</source>
            <translation>应用(&amp;P)</translation>
        </message>
        <message>
            <source>Settings sections</source>
            <translation>设置分类</translation>
        </message>
        <message>
            <source>&amp;Save</source>
            <translation>保存(&amp;S)</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>base64 SHA-256 of the server's public key</source>
            <translation>服务器公钥的 SHA-256（base64）</translation>
        </message>
        <message>
            <source>Server &amp;address:</source>
            <translation>服务器地址(&amp;A)：</translation>
        </message>
        <message>
            <source>Certificate &amp;pin (SHA-256):</source>
            <translation>证书指纹(&amp;P)（SHA-256）：</translation>
        </message>
        <message>
            <source>TapLink only talks to a server whose public key matches the pin.</source>
            <translation>TapLink 只与公钥和指纹相符的服务器通信。</translation>
        </message>
        <message>
            <source>Language</source>
            <translation>语言</translation>
        </message>
        <message>
            <source>System language</source>
            <translation>系统语言</translation>
        </message>
        <message>
            <source>&amp;Language:</source>
            <translation>语言(&amp;L)：</translation>
        </message>
        <message>
            <source>A new language applies when TapLink starts again.</source>
            <translation>新的语言将在 TapLink 重新启动后生效。</translation>
        </message>
        <message>
            <source>&amp;Demo shop address:</source>
            <translation>演示商店地址(&amp;D)：</translation>
        </message>
        <message>
            <source>&amp;Browse…</source>
            <translation>浏览(&amp;B)…</translation>
        </message>
        <message>
            <source>Choose the demo shop certificate authority file</source>
            <translation>选择演示商店的证书颁发机构文件</translation>
        </message>
        <message>
            <source>Certificate authority</source>
            <translation>证书颁发机构</translation>
        </message>
        <message>
            <source>PEM files (*.pem *.crt)</source>
            <translation>PEM 文件 (*.pem *.crt)</translation>
        </message>
        <message>
            <source>Demo shop &amp;CA file:</source>
            <translation>演示商店 CA 文件(&amp;C)：</translation>
        </message>
        <message>
            <source>Reading the settings of the TapLink service…</source>
            <translation>正在读取 TapLink 服务的设置…</translation>
        </message>
        <message>
            <source>Saving…</source>
            <translation>正在保存…</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::TokenDialog</name>
        <message>
            <source>Challenge</source>
            <translation>挑战码</translation>
        </message>
        <message>
            <source>8 digits</source>
            <translation>8 位数字</translation>
        </message>
        <message>
            <source>One-time code</source>
            <translation>动态口令</translation>
        </message>
        <message>
            <source>&amp;Generate</source>
            <translation>生成(&amp;G)</translation>
        </message>
        <message>
            <source>TapLink — dynamic token</source>
            <translation>TapLink — 动态口令</translation>
        </message>
        <message>
            <source>Type the 8-digit challenge your bank gave you. The payment applet on this device's secure chip answers it with a one-time code; each code uses up one step of the chip's counter.</source>
            <translation>请输入银行给您的 8 位挑战码。本设备安全芯片中的支付应用会用一个动态口令回答它；每生成一个口令，芯片的计数器就前进一步。</translation>
        </message>
        <message>
            <source>&amp;Close</source>
            <translation>关闭(&amp;C)</translation>
        </message>
        <message>
            <source>C&amp;hallenge:</source>
            <translation>挑战码(&amp;H)：</translation>
        </message>
        <message>
            <source>counter %1</source>
            <translation>计数器 %1</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::TopupWizard</name>
        <message>
            <source>Top up a card</source>
            <translation>为卡充值</translation>
        </message>
        <message>
            <source>&lt; &amp;Back</source>
            <translation>&lt; 上一步(&amp;B)</translation>
        </message>
        <message>
            <source>&amp;Next &gt;</source>
            <translation>下一步(&amp;N) &gt;</translation>
        </message>
        <message>
            <source>&amp;Top up</source>
            <translation>充值(&amp;T)</translation>
        </message>
        <message>
            <source>&amp;Done</source>
            <translation>完成(&amp;D)</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::TrayIcon</name>
        <message>
            <source>TapLink</source>
            <translation>TapLink 卡务</translation>
        </message>
        <message>
            <source>TapLink service stopped</source>
            <translation>TapLink 服务已停止</translation>
        </message>
        <message>
            <source>The TapLink service is not running. Reconnecting…</source>
            <translation>TapLink 服务没有运行，正在重新连接…</translation>
        </message>
        <message>
            <source>Card placed</source>
            <translation>检测到卡片</translation>
        </message>
        <message>
            <source>A card was placed on %1.</source>
            <translation>有卡片放到了 %1 上。</translation>
        </message>
    </context>
    <context>
        <name>taplink::gui::WebsitesPage</name>
        <message>
            <source>&amp;Remove</source>
            <translation>移除(&amp;R)</translation>
        </message>
        <message>
            <source>A&amp;dd</source>
            <translation>添加(&amp;D)</translation>
        </message>
        <message>
            <source>As&amp;k me before every top-up a web page starts (recommended)</source>
            <translation>网页每次发起充值前都先问我（推荐）(&amp;K)</translation>
        </message>
        <message>
            <source>&amp;Websites allowed to use the card reader:</source>
            <translation>允许使用读卡器的网站(&amp;W)：</translation>
        </message>
        <message>
            <source>Websites allowed to use the card reader</source>
            <translation>允许使用读卡器的网站</translation>
        </message>
        <message>
            <source>Website to allow</source>
            <translation>要允许的网站</translation>
        </message>
        <message>
            <source>Top-ups started by a web page</source>
            <translation>网页发起的充值</translation>
        </message>
        <message>
            <source>Do &amp;not ask: this is a kiosk whose own screen shows the amount</source>
            <translation>不询问：这是一台自助终端，其屏幕会显示金额(&amp;N)</translation>
        </message>
    </context>
</TS>
