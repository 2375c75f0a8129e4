// The auditors' dashboard: filters, the indicators as meters against their bands, the breakdown
// with drill-down, the trend, the products still to digitize, the downloads and the fingerprint.
extension Templates {
    static let dashboard = """
        <h1>Báo cáo chỉ tiêu</h1>
        <form method="get" action="/reports" class="filters" role="search">
        <div class="field"><label for="unit">Đơn vị (mã)</label>
        <input id="unit" name="unit" value="{{unit}}" inputmode="numeric"></div>
        <div class="field"><label for="period">Kỳ (2025, 2025-H2, 2025-Q4, 2025-11)</label>
        <input id="period" name="period" value="{{period}}"></div>
        <div class="field"><label for="by">Chia theo</label>
        <select id="by" name="by"><option value="">Không chia</option>{{#bys}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/bys}}</select></div>
        <button type="submit">Xem</button>
        </form>
        {{#problems}}<p class="problem" role="alert">{{.}}</p>{{/problems}}
        <h2>{{scope}}</h2>
        <p>{{periodName}} · {{products}} sản phẩm{{#hasUndated}} · {{undated}} sản phẩm chưa có ngày, không tính vào kỳ nào{{/hasUndated}}</p>
        {{#notes}}<p class="small">{{.}}</p>{{/notes}}
        {{#empty}}<p>Chưa có sản phẩm nào trong kỳ này.</p>{{/empty}}
        {{^empty}}
        <ul class="indicators">
        {{#indicators}}<li><span class="label">{{label}}</span>
        <meter min="0" max="100" value="{{value}}" low="{{low}}" high="{{high}}" optimum="{{high}}" aria-label="{{label}}: {{share}}">{{share}}</meter>
        <span><strong>{{share}}</strong> ({{count}}/{{total}}) · mục tiêu {{band}} · <span class="{{#behind}}problem{{/behind}}">{{status}}</span></span></li>
        {{/indicators}}
        </ul>
        {{#hasBreakdown}}
        <h2>{{breakdownTitle}}</h2>
        <div class="scroll"><table>
        <thead><tr><th scope="col">{{breakdownTitle}}</th><th scope="col">Sản phẩm</th><th scope="col">Số hóa</th><th scope="col">Nền tảng số</th><th scope="col">Đa dạng hóa</th></tr></thead>
        <tbody>{{#breakdown}}<tr><th scope="row">{{#link}}<a href="{{link}}">{{label}}</a>{{/link}}{{^link}}{{label}}{{/link}}</th><td>{{total}}</td><td>{{digitized}}</td><td>{{digital}}</td><td>{{diversified}}</td></tr>{{/breakdown}}</tbody>
        </table></div>
        {{/hasBreakdown}}
        <h2>Xu hướng</h2>
        <div class="scroll"><table>
        <thead><tr><th scope="col">Kỳ</th><th scope="col">Sản phẩm</th><th scope="col">Số hóa</th><th scope="col">Nền tảng số</th><th scope="col">Đa dạng hóa</th></tr></thead>
        <tbody>{{#trend}}<tr><th scope="row">{{period}}</th><td>{{total}}</td><td>{{digitized}}</td><td>{{digital}}</td><td>{{diversified}}</td></tr>{{/trend}}</tbody>
        </table></div>
        <h2>Sản phẩm chưa số hóa ({{gapTotal}})</h2>
        <ul class="cards">{{#gaps}}<li>{{#hidden}}<span>{{title}}</span>{{/hidden}}{{^hidden}}<a href="/products/{{id}}">{{title}}</a>{{/hidden}}<span class="small">{{unit}} · {{carrier}} · {{date}}</span></li>{{/gaps}}</ul>
        {{#moreGaps}}<p class="small">Chỉ hiện 50 sản phẩm đầu; tải CSV để có đủ danh sách.</p>{{/moreGaps}}
        {{/empty}}
        <p>Tải về: <a href="{{csv}}">CSV (Excel)</a> · <a href="{{html}}">Trang in A4</a> · <a href="{{json}}">JSON</a></p>
        <p class="small">Lập lúc {{madeAt}} · chỉ tiêu theo {{targetsSource}} · dấu vân tay dữ liệu <code class="wrap">{{fingerprint}}</code></p>
        """
}

extension Templates {
    /// The admins' page for users.
    static let adminUsers = """
        <h1>Người dùng</h1>
        {{#problems}}<p class="problem" role="alert">{{.}}</p>{{/problems}}
        {{#shown}}<div class="saved" role="status"><p>Mật khẩu của <strong>{{name}}</strong> (chỉ hiện một lần, hãy chuyển cho người dùng):</p>
        <p><code class="wrap">{{password}}</code></p></div>{{/shown}}
        <div class="scroll"><table class="text">
        <thead><tr><th scope="col">Tên</th><th scope="col">Vai trò</th><th scope="col">Phạm vi</th><th scope="col">Trạng thái</th><th scope="col">Thao tác</th></tr></thead>
        <tbody>{{#users}}<tr><th scope="row">{{name}}</th><td>{{role}}</td><td>{{unit}}</td><td>{{#disabled}}đã khóa{{/disabled}}{{^disabled}}đang dùng{{/disabled}}</td>
        <td><form method="post" action="/admin/users" class="inline"><input type="hidden" name="csrf" value="{{user.csrf}}"><input type="hidden" name="name" value="{{name}}">
        <button type="submit" name="action" value="password" class="secondary">Cấp mật khẩu mới</button>
        {{#disabled}}<button type="submit" name="action" value="enable" class="secondary">Mở khóa</button>{{/disabled}}{{^disabled}}<button type="submit" name="action" value="disable" class="secondary">Khóa</button>{{/disabled}}</form></td></tr>{{/users}}</tbody>
        </table></div>
        <h2>Thêm người dùng</h2>
        <form method="post" action="/admin/users" class="stack">
        <input type="hidden" name="csrf" value="{{user.csrf}}">
        <input type="hidden" name="action" value="add">
        <label for="new-name">Tên đăng nhập (a-z, số, dấu chấm; ví dụ lan.nguyen)</label>
        <input id="new-name" name="name" required autocapitalize="none" spellcheck="false">
        <label for="new-role">Vai trò</label>
        <select id="new-role" name="role">{{#roles}}<option value="{{value}}">{{label}}</option>{{/roles}}</select>
        <label for="new-unit">Đơn vị (mã đơn vị hiện nay; để trống là toàn bộ kho)</label>
        <input id="new-unit" name="unit" inputmode="numeric">
        <button type="submit">Thêm và cấp mật khẩu</button>
        </form>
        <h2>Khóa API cho máy</h2>
        <p class="small">Một khóa cho chương trình (ví dụ máy xuất dữ liệu lên cơ sở dữ liệu dùng chung) gọi API với quyền của một người dùng: <code>Authorization: Bearer KHÓA</code>.</p>
        {{#shownToken}}<div class="saved" role="status"><p>Khóa API của <strong>{{owner}}</strong> (chỉ hiện một lần, hãy chép ngay):</p>
        <p><code class="wrap">{{token}}</code></p></div>{{/shownToken}}
        {{#hasTokens}}<div class="scroll"><table class="text">
        <thead><tr><th scope="col">Mã</th><th scope="col">Người dùng</th><th scope="col">Ghi chú</th><th scope="col">Tạo lúc</th><th scope="col">Hết hạn</th><th scope="col">Trạng thái</th></tr></thead>
        <tbody>{{#tokens}}<tr><th scope="row"><code>{{id}}</code></th><td>{{owner}}</td><td>{{label}}</td><td>{{created}}</td><td>{{expires}}</td>
        <td>{{state}}{{#live}} <form method="post" action="/admin/tokens" class="inline"><input type="hidden" name="csrf" value="{{user.csrf}}"><input type="hidden" name="id" value="{{id}}"><button type="submit" name="action" value="revoke" class="secondary">Thu hồi</button></form>{{/live}}</td></tr>{{/tokens}}</tbody>
        </table></div>{{/hasTokens}}
        <form method="post" action="/admin/tokens" class="stack">
        <input type="hidden" name="csrf" value="{{user.csrf}}">
        <input type="hidden" name="action" value="make">
        <label for="token-user">Người dùng (khóa có đúng quyền và phạm vi của người này)</label>
        <select id="token-user" name="user">{{#userNames}}<option>{{.}}</option>{{/userNames}}</select>
        <label for="token-label">Ghi chú (để nhận ra khóa; ví dụ "máy xuất tỉnh")</label>
        <input id="token-label" name="label" maxlength="100">
        <label for="token-days">Hiệu lực (số ngày, 1 đến 365)</label>
        <input id="token-days" name="days" value="90" inputmode="numeric">
        <button type="submit">Tạo khóa</button>
        </form>
        """
}

extension Templates {
    /// Exports: start one, follow it (the page reloads itself while a job runs), download bundles.
    static let exports = """
        <h1>Xuất dữ liệu</h1>
        <p>Gói BagIt gửi lên cơ sở dữ liệu dùng chung. Sản phẩm mật không bao giờ được xuất.</p>
        {{#problems}}<p class="problem" role="alert">{{.}}</p>{{/problems}}
        <form method="post" action="/exports" class="stack">
        <input type="hidden" name="csrf" value="{{user.csrf}}">
        <label for="unit">Đơn vị (mã; để trống là cả phạm vi của bạn)</label>
        <input id="unit" name="unit" value="{{unit}}" inputmode="numeric" autocomplete="off"{{#unitProblem}} aria-invalid="true" aria-describedby="unit-problem"{{/unitProblem}}>
        {{#unitProblem}}<p id="unit-problem" class="problem">{{unitProblem}}</p>{{/unitProblem}}
        <label for="period">Kỳ (ví dụ 2024, 2024-Q3, 2024-H1, 2024-03; để trống là mọi kỳ)</label>
        <input id="period" name="period" value="{{period}}" autocomplete="off"{{#periodProblem}} aria-invalid="true" aria-describedby="period-problem"{{/periodProblem}}>
        {{#periodProblem}}<p id="period-problem" class="problem">{{periodProblem}}</p>{{/periodProblem}}
        <div class="checks"><label><input type="checkbox" name="since" value="last"{{#sinceLast}} checked{{/sinceLast}}> Chỉ những gì thay đổi từ lần xuất trước của phạm vi này</label></div>
        <label for="format">Định dạng gói</label>
        <select id="format" name="format">{{#formats}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/formats}}</select>
        <button type="submit">Bắt đầu xuất</button>
        </form>
        {{#hasJobs}}<h2>Việc xuất của bạn</h2>
        <ul class="uploads">{{#jobs}}<li{{#failed}} class="failed"{{/failed}}><a class="name" href="{{link}}">{{scope}} · {{period}}{{#since}} · chỉ phần thay đổi{{/since}} · {{format}}</a>
        <span class="small">bắt đầu {{when}} · {{owner}}</span>
        <span class="status">{{state}}{{#running}} · {{progressText}}{{/running}}{{#message}}: {{message}}{{/message}}{{#download}} · {{products}} sản phẩm ({{restrictedLeftOut}} sản phẩm mật không xuất) · <a href="{{download}}">Tải gói về</a>{{/download}}</span></li>{{/jobs}}</ul>{{/hasJobs}}
        <h2>Các gói đã xuất</h2>
        {{^hasExports}}<p>Chưa có gói nào trong phạm vi của bạn.</p>{{/hasExports}}
        {{#hasExports}}<div class="scroll"><table class="text">
        <thead><tr><th scope="col">Lúc</th><th scope="col">Phạm vi</th><th scope="col">Kỳ</th><th scope="col">Sản phẩm</th><th scope="col">Dữ liệu</th><th scope="col">Gói</th></tr></thead>
        <tbody>{{#exports}}<tr><td>{{when}}</td><th scope="row">{{scope}}{{#isIncremental}} <span class="small">(phần thay đổi sau {{follows}})</span>{{/isIncremental}}</th><td>{{period}}</td><td>{{products}}</td><td>{{payload}}</td>
        <td>{{#download}}<a href="{{download}}">Tải về {{format}} ({{size}})</a>{{/download}}{{#removed}}<span class="small">gói đã được xoá sau 30 ngày</span>{{/removed}}{{#elsewhere}}<span class="small">lập bằng dòng lệnh, không tải ở đây</span>{{/elsewhere}}<br><span class="small">SHA-256 <code class="wrap">{{sha256}}</code></span></td></tr>{{/exports}}</tbody>
        </table></div>{{/hasExports}}
        """
}

extension Templates {
    /// One export job: progress while it runs (the page reloads itself), then its bundle.
    static let exportJob = """
        <h1>Việc xuất dữ liệu</h1>
        <p>{{scope}} · {{period}}{{#since}} · chỉ phần thay đổi{{/since}} · {{format}} · bắt đầu {{when}} · {{owner}}</p>
        <p role="status">{{state}}</p>
        {{#running}}<progress max="{{total}}" value="{{progress}}" aria-label="Tiến độ xuất">{{progressText}}</progress><p class="small">{{progressText}} — trang tự tải lại; có thể đóng trang, việc vẫn chạy.</p>{{/running}}
        {{#failed}}<p class="problem" role="alert">{{message}}</p>{{/failed}}
        {{#download}}<p class="saved">{{products}} sản phẩm đã xuất ({{restrictedLeftOut}} sản phẩm mật không xuất). <a href="{{download}}">Tải gói về</a></p>{{/download}}
        <p><a href="/exports">Về trang xuất dữ liệu</a></p>
        """
}
