// The page templates (Mustache). Vietnamese by default; every field has a label, every page
// works on a phone's screen and without JavaScript.
enum Templates {
    static let all: [(String, String)] = [("layout", layout), ("login", login), ("home", home), ("error", error),
                                                    ("products", products), ("product", product), ("newProduct", newProduct), ("dashboard", dashboard), ("uploader", uploader),
                                                    ("productFields", productFields), ("editProduct", editProduct),
                                                    ("adminUsers", adminUsers), ("exports", exports), ("importStart", importStart), ("importJob", importJob), ("exportJob", exportJob)]

    static let layout = """
        <!doctype html>
        <html lang="{{lang}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Kho</title>
        {{#refresh}}<meta http-equiv="refresh" content="{{refresh}}">{{/refresh}}
        <link rel="stylesheet" href="/static/kho.css">
        </head>
        <body>
        <header class="top"><a class="brand" href="/">Kho</a>{{#user}}<nav><a href="/products">Sản phẩm</a>{{#canCreate}} <a href="/products/new">Thêm sản phẩm</a> <a href="/import">Nhập bảng kê</a>{{/canCreate}}{{#canReport}} <a href="/reports">Báo cáo</a>{{/canReport}}{{#canExport}} <a href="/exports">Xuất dữ liệu</a>{{/canExport}}{{#canAdminister}} <a href="/admin/users">Người dùng</a>{{/canAdminister}}</nav><span class="who">{{name}} · {{role}} · {{unit}}</span>
        <form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Đăng xuất</button></form>{{/user}}
        {{#switchLang}}<a class="lang" href="/language?to={{to}}&amp;back={{back}}" lang="{{to}}" hreflang="{{to}}">{{name}}</a>{{/switchLang}}</header>
        <main id="main">
        {{{body}}}
        </main>
        </body>
        </html>
        """

    static let login = """
        <h1>Đăng nhập</h1>
        {{#problem}}<p class="problem" role="alert">{{problem}}</p>{{/problem}}
        <form method="post" action="/login" class="stack">
        <label for="name">Tên đăng nhập</label>
        <input id="name" name="name" autocomplete="username" autocapitalize="none" spellcheck="false" required value="{{name}}">
        <label for="password">Mật khẩu</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit">Đăng nhập</button>
        </form>
        """

    static let home = """
        <h1>Xin chào, {{user.name}}</h1>
        <p>Vai trò: {{user.role}}. Phạm vi: {{user.unit}}.</p>
        <p><a href="/products">Xem và tìm sản phẩm</a></p>
        """

    static let error = """
        <h1>Lỗi {{status}}</h1>
        <p role="alert">{{message}}</p>
        <p class="small">Mã yêu cầu: <code>{{request}}</code></p>
        <p><a href="/">Về trang chính</a></p>
        """

    /// The one style sheet (served at /static/kho.css): large targets, visible focus, readable on a phone.
    static let css = """
        :root { font-family: system-ui, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: #1a1a1a; background: #fff; }
        body { margin: 0; line-height: 1.5; font-size: 1rem; }
        .top { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .5rem 1rem; background: #0b4f6c; color: #fff; }
        .top a, .top .who { color: #fff; }
        .brand { font-weight: 700; font-size: 1.25rem; text-decoration: none; }
        main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
        .stack { display: flex; flex-direction: column; gap: .5rem; max-width: 24rem; }
        input, select, button, textarea { font: inherit; padding: .6rem .75rem; min-height: 2.75rem; border: 1px solid #555; border-radius: 4px; }
        button { background: #0b4f6c; color: #fff; border-color: #0b4f6c; cursor: pointer; }
        .top button { background: #fff; color: #0b4f6c; }
        :focus-visible { outline: 3px solid #f4b400; outline-offset: 2px; }
        .problem { color: #8b0000; font-weight: 600; }
        .inline { display: inline; }
        .small { font-size: .875rem; color: #444; }
        .filters { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: .25rem 1rem; align-items: end; }
        .filters label { font-weight: 600; }
        .field { display: flex; flex-direction: column; gap: .25rem; }
        .cards { list-style: none; padding: 0; }
        .cards li { padding: .6rem 0; border-bottom: 1px solid #ddd; display: flex; flex-direction: column; }
        .facts { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: .25rem 1rem; }
        .facts dt { font-weight: 600; }
        .facts dd { margin: 0; overflow-wrap: anywhere; }
        .top nav a { margin-right: .75rem; }
        .top .lang { margin-left: auto; }
        .wide { max-width: 40rem; }
        fieldset { border: 1px solid #bbb; border-radius: 4px; padding: .5rem .75rem; display: flex; flex-direction: column; gap: .5rem; }
        legend { font-weight: 600; }
        .checks { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .25rem .75rem; }
        .checks label { display: flex; gap: .4rem; align-items: center; min-height: 2.75rem; }
        .checks input { min-height: auto; width: 1.25rem; height: 1.25rem; }
        .drop { border: 2px dashed #0b4f6c; border-radius: 6px; padding: 1.5rem 1rem; text-align: center; color: #0b4f6c; }
        .drop.over { background: #e6f2f7; }
        .uploads { list-style: none; padding: 0; margin: 0; }
        .uploads li { display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: center; padding: .5rem 0; border-bottom: 1px solid #ddd; }
        .uploads .name { flex: 1 1 100%; overflow-wrap: anywhere; font-weight: 600; }
        .uploads progress { flex: 1 1 10rem; height: 1rem; }
        .uploads .status { flex: 1 1 100%; }
        .uploads li.failed .status { color: #8b0000; font-weight: 600; }
        .uploads li.duplicate .status { color: #6b4e00; }
        button.secondary { background: #fff; color: #0b4f6c; }
        main img, main video, main audio { max-width: 100%; height: auto; }
        .events li, .cards li { overflow-wrap: anywhere; }
        .indicators { list-style: none; padding: 0; display: flex; flex-direction: column; gap: .75rem; }
        .indicators li { display: flex; flex-direction: column; gap: .25rem; }
        .indicators .label { font-weight: 600; }
        meter { width: 100%; height: 1.5rem; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; min-width: 100%; }
        th, td { padding: .35rem .5rem; border-bottom: 1px solid #ddd; text-align: right; }
        th[scope=row], thead th:first-child { text-align: left; }
        code.wrap { overflow-wrap: anywhere; }
        table.text td, table.text th { text-align: left; }
        .saved { background: #e7f5e9; border-left: 4px solid #1e7b34; padding: .5rem .75rem; }
        """
}
