// The templates of the product pages: the list with its filters, and one product.
extension Templates {
    static let products = """
        <h1>Sản phẩm</h1>
        <form method="get" action="/products" class="filters" role="search">
        <label for="q">Tìm (có dấu hoặc không dấu)</label>
        <input id="q" name="q" value="{{q}}" type="search">
        <label for="kind">Loại</label>
        <select id="kind" name="kind"><option value="">Tất cả</option>{{{kinds}}}</select>
        <label for="unit">Đơn vị (mã)</label>
        <input id="unit" name="unit" value="{{unit}}" inputmode="numeric" autocomplete="off">
        <label for="language">Ngôn ngữ (tên hoặc mã)</label>
        <input id="language" name="language" value="{{language}}" autocomplete="off">
        <label for="channel">Kênh</label>
        <select id="channel" name="channel"><option value="">Tất cả</option>{{{channels}}}</select>
        <label for="digitized">Số hóa</label>
        <select id="digitized" name="digitized"><option value="">Tất cả</option>{{{digitizedChoices}}}</select>
        <label for="access">Truy cập</label>
        <select id="access" name="access"><option value="">Tất cả</option>{{{accessChoices}}}</select>
        <label for="from">Từ ngày</label>
        <input id="from" name="from" value="{{from}}" placeholder="dd/mm/yyyy" inputmode="numeric">
        <label for="to">Đến ngày</label>
        <input id="to" name="to" value="{{to}}" placeholder="dd/mm/yyyy" inputmode="numeric">
        <button type="submit">Lọc</button>
        </form>
        {{#problems}}<p class="problem" role="alert">{{.}}</p>{{/problems}}
        {{#empty}}<p>Không có sản phẩm nào phù hợp.</p>{{/empty}}
        <ul class="cards">
        {{{rows}}}
        </ul>
        {{#next}}<p><a href="{{next}}" rel="next">Trang sau</a></p>{{/next}}
        """

    static let product = """
        {{#saved}}<p class="saved" role="status">Đã lưu sản phẩm. {{#user.canCreate}}<a href="/products/new?like={{id}}">Thêm sản phẩm khác với cùng loại, đơn vị, ngày, kênh</a>{{/user.canCreate}}</p>{{/saved}}
        {{#hasAttached}}<p class="saved" role="status">Đã thêm {{attached}} tệp.</p>{{/hasAttached}}
        {{#edited}}<p class="saved" role="status">Đã lưu thay đổi.</p>{{/edited}}
        {{#existing}}<p class="saved" role="status">Sản phẩm này (cùng tên, cùng tệp) đã có trong kho; không lưu thêm bản nào.</p>{{/existing}}
        <h1>{{title}}</h1>
        {{#withdrawn}}<p class="problem" role="status"><strong>Đã rút khỏi lưu hành</strong> {{withdrawnAt}}: {{withdrawnReason}}</p>{{/withdrawn}}
        {{#canEdit}}<p><a href="/products/{{id}}/edit">Sửa thông tin</a></p>{{/canEdit}}
        <dl class="facts">
        <dt>Mã</dt><dd><code>{{id}}</code></dd>
        <dt>Loại</dt><dd>{{kind}}</dd>
        <dt>Đơn vị</dt><dd>{{unit}}</dd>
        <dt>Ngày sản xuất</dt><dd>{{produced}}</dd>
        <dt>Ngày phát hành</dt><dd>{{published}}</dd>
        <dt>Ngôn ngữ</dt><dd>{{languages}}</dd>
        <dt>Kênh</dt><dd>{{channels}}</dd>
        <dt>Mức truy cập</dt><dd>{{access}}</dd>
        <dt>Số hóa</dt><dd>{{#digitized}}đã số hóa{{/digitized}}{{^digitized}}chưa số hóa{{/digitized}}</dd>
        </dl>
        {{#description}}<p>{{description}}</p>{{/description}}
        <h2>Tệp</h2>
        <ul>{{#files}}<li><a href="/products/{{id}}/files/{{n}}">{{name}}</a> <span class="small">{{size}} · {{type}} · {{role}}</span>
        {{#audio}}<audio controls preload="metadata" src="/products/{{id}}/files/{{n}}"></audio>{{/audio}}{{#video}}<video controls preload="metadata" src="/products/{{id}}/files/{{n}}"></video>{{/video}}{{#image}}<img alt="{{name}}" src="/products/{{id}}/files/{{n}}">{{/image}}</li>{{/files}}</ul>
        {{#canAttach}}
        <h2>Thêm tệp</h2>
        {{#attachProblems}}<p class="problem" role="alert">{{.}}</p>{{/attachProblems}}
        <form method="post" action="/products/{{id}}/attach" class="stack wide" id="attach" enctype="multipart/form-data">
        <input type="hidden" name="csrf" value="{{user.csrf}}">
        {{> uploader}}
        <label for="role">Tệp này là</label>
        <select id="role" name="role"><option value="master">bản gốc hoặc bản số hóa</option><option value="access">bản để xem (nhẹ hơn)</option><option value="supplement">tài liệu kèm theo</option></select>
        {{#physical}}<label for="digitized">Ngày số hóa (dd/mm/yyyy; để trống là hôm nay)</label>
        <input id="digitized" name="digitized" inputmode="numeric" placeholder="dd/mm/yyyy">{{/physical}}
        <button type="submit">Thêm tệp</button>
        </form>
        <script src="/static/kho-upload.js" defer></script>
        {{/canAttach}}
        <h2>Lịch sử</h2>
        <ol class="events">{{#events}}<li><span class="small">{{at}}</span> {{type}} — {{agent}}{{#detail}}: {{detail}}{{/detail}}</li>{{/events}}</ol>
        <p><a href="/products">Về danh sách</a></p>
        """
}
