// The page where staff put a product into the archive: its files through resumable uploads
// (the script, when it runs), or a physical product registered without files; every field
// labelled, each problem beside its field, the values kept when something is wrong.
extension Templates {
    /// The upload area (files, folders, drop zone, progress list), for every form that takes files.
    static let uploader = """
        <div id="uploads" data-endpoint="/api/v1/uploads" data-csrf="{{user.csrf}}" data-user="{{user.name}}" data-max="{{maxUpload}}" hidden>
        <p class="small">Kéo thả tệp hoặc cả thư mục vào ô dưới đây, hoặc chọn tệp. Mỗi tệp tối đa {{maxUploadText}}. Đường truyền chậm hay bị ngắt cũng không sao: tệp tải tiếp từ chỗ đã dừng.</p>
        <div class="drop" id="drop" tabindex="0">Thả tệp hoặc thư mục vào đây</div>
        <label for="files">Chọn tệp (có thể chụp ảnh bằng điện thoại)</label>
        <input id="files" type="file" multiple>
        <label for="folder">Hoặc chọn cả thư mục</label>
        <input id="folder" type="file" webkitdirectory multiple>
        <ol id="upload-list" class="uploads" aria-live="polite"></ol>
        <p id="unfinished" class="small" hidden></p>
        </div>
        <noscript><label for="plain-files">Chọn tệp (có thể chụp ảnh bằng điện thoại; tổng cộng tối đa {{maxUploadText}})</label>
        <input id="plain-files" name="file" type="file" multiple>
        <p class="small">JavaScript đang tắt: các tệp được gửi cùng lúc bấm Lưu, không có thanh tiến độ, đường truyền bị ngắt thì phải gửi lại.</p></noscript>
        """

    /// A product's descriptive fields, each labelled, each problem beside its field: for adding
    /// and for editing.
    static let productFields = """
        <label for="title">Tên sản phẩm</label>
        <input id="title" name="title" value="{{values.title}}" required maxlength="500"{{#errors.title}} aria-invalid="true" aria-describedby="title-error"{{/errors.title}}>
        {{#errors.title}}<p class="problem" id="title-error">{{.}}</p>{{/errors.title}}
        <label for="kind">Loại</label>
        <select id="kind" name="kind" required{{#errors.kind}} aria-invalid="true" aria-describedby="kind-error"{{/errors.kind}}><option value="">— chọn —</option>{{#kinds}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/kinds}}</select>
        {{#errors.kind}}<p class="problem" id="kind-error">{{.}}</p>{{/errors.kind}}
        <label for="languages">Ngôn ngữ (tên hoặc mã, cách nhau bằng dấu phẩy: Tiếng Việt, Tày, Ê Đê, en)</label>
        <input id="languages" name="languages" value="{{values.languages}}" required list="language-names"{{#errors.languages}} aria-invalid="true" aria-describedby="languages-error"{{/errors.languages}}>
        <datalist id="language-names">{{#languageNames}}<option value="{{.}}">{{/languageNames}}</datalist>
        {{#errors.languages}}<p class="problem" id="languages-error">{{.}}</p>{{/errors.languages}}
        <label for="unit">Đơn vị (mã đơn vị hành chính, hoặc gõ tên để tìm mã)</label>
        <input id="unit" name="unit" value="{{values.unit}}" required autocomplete="off" list="unit-suggestions" data-units="/api/v1/units"{{#errors.unit}} aria-invalid="true" aria-describedby="unit-error"{{/errors.unit}}>
        <datalist id="unit-suggestions"></datalist>
        {{#errors.unit}}<p class="problem" id="unit-error">{{.}}</p>{{/errors.unit}}
        <label for="produced">Ngày sản xuất (dd/mm/yyyy)</label>
        <input id="produced" name="produced" value="{{values.produced}}" placeholder="dd/mm/yyyy" inputmode="numeric"{{#errors.produced}} aria-invalid="true" aria-describedby="produced-error"{{/errors.produced}}>
        {{#errors.produced}}<p class="problem" id="produced-error">{{.}}</p>{{/errors.produced}}
        <label for="published">Ngày phát hành (dd/mm/yyyy)</label>
        <input id="published" name="published" value="{{values.published}}" placeholder="dd/mm/yyyy" inputmode="numeric"{{#errors.published}} aria-invalid="true" aria-describedby="published-error"{{/errors.published}}>
        {{#errors.published}}<p class="problem" id="published-error">{{.}}</p>{{/errors.published}}
        <fieldset>
        <legend>Kênh phát hành</legend>
        <div class="checks">{{#channels}}<label><input type="checkbox" name="channels" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/channels}}</div>
        {{#errors.channels}}<p class="problem">{{.}}</p>{{/errors.channels}}
        </fieldset>
        <label for="access">Mức truy cập</label>
        <select id="access" name="access">{{#accessLevels}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/accessLevels}}</select>
        <label for="creator">Tác giả, đơn vị thực hiện</label>
        <input id="creator" name="creator" value="{{values.creator}}">
        <label for="campaign">Đợt, chiến dịch</label>
        <input id="campaign" name="campaign" value="{{values.campaign}}">
        <label for="description">Mô tả</label>
        <textarea id="description" name="description" rows="3">{{values.description}}</textarea>
        {{#errors.description}}<p class="problem">{{.}}</p>{{/errors.description}}
        """

    /// Editing a product: its fields, and the version it was read at (a change made meanwhile by
    /// someone else is a conflict, shown with what they changed).
    static let editProduct = """
        <h1>Sửa sản phẩm</h1>
        {{#conflict}}<div class="problem" role="alert"><p>Người khác đã sửa sản phẩm này trong lúc bạn sửa; chưa lưu gì. Khác nhau giữa bản trong kho và bản của bạn:</p>
        <ul>{{#conflictChanges}}<li>{{.}}</li>{{/conflictChanges}}</ul><p>Các ô dưới đây vẫn là bản của bạn; bấm Lưu lần nữa để ghi đè lên bản mới.</p></div>{{/conflict}}
        {{#problems}}<p class="problem" role="alert">Chưa lưu được: hãy sửa các ô được đánh dấu bên dưới.</p>{{/problems}}
        {{#general}}<p class="problem" role="alert">{{.}}</p>{{/general}}
        <form method="post" action="/products/{{id}}/edit" class="stack wide">
        <input type="hidden" name="csrf" value="{{user.csrf}}">
        <input type="hidden" name="version" value="{{version}}">
        {{> productFields}}
        <button type="submit">Lưu thay đổi</button>
        </form>
        <p><a href="/products/{{id}}">Bỏ, về trang sản phẩm</a></p>
        <script src="/static/kho-upload.js" defer></script>
        """

    static let newProduct = """
        <h1>Thêm sản phẩm</h1>
        {{#madeCount}}<div class="saved" role="status"><p>Đã lưu {{madeCount}} sản phẩm, mỗi tệp một sản phẩm. Các thông tin chung vẫn giữ dưới đây cho lô tiếp theo.</p>
        <ul>{{#made}}<li><a href="/products/{{id}}">{{title}}</a></li>{{/made}}</ul></div>{{/madeCount}}
        {{#problems}}<p class="problem" role="alert" id="form-problems">Chưa lưu được: hãy sửa các ô được đánh dấu bên dưới.</p>{{/problems}}
        {{#general}}<p class="problem" role="alert">{{.}}</p>{{/general}}
        <form method="post" action="/products/new" class="stack wide" id="new-product" enctype="multipart/form-data">
        <input type="hidden" name="csrf" value="{{user.csrf}}">
        <fieldset>
        <legend>Tệp</legend>
        {{> uploader}}
        <ul class="uploads" id="kept">{{#uploads}}<li data-upload="{{id}}"><input type="hidden" name="upload" value="{{id}}">{{name}} <span class="small">{{size}} · đã tải xong</span></li>{{/uploads}}</ul>
        <fieldset>
        <legend>Khi có nhiều tệp</legend>
        <label><input type="radio" name="batch" value="one"{{^batchEach}} checked{{/batchEach}}> Một sản phẩm gồm tất cả các tệp</label>
        <label><input type="radio" name="batch" value="each"{{#batchEach}} checked{{/batchEach}}> Mỗi tệp một sản phẩm, cùng các thông tin dưới đây (tên sản phẩm thêm tên tệp)</label>
        </fieldset>
        </fieldset>
        {{> productFields}}
        <fieldset>
        <legend>Sản phẩm chưa số hóa (không có tệp)</legend>
        <label for="carrier">Nếu sản phẩm chỉ có trên giấy, băng, phim: chọn vật mang tin để đăng ký; tệp quét có thể thêm sau từ trang sản phẩm.</label>
        <select id="carrier" name="carrier"{{#errors.carrier}} aria-invalid="true" aria-describedby="carrier-error"{{/errors.carrier}}><option value="">— có tệp, không chọn —</option>{{#carriers}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/carriers}}</select>
        {{#errors.carrier}}<p class="problem" id="carrier-error">{{.}}</p>{{/errors.carrier}}
        </fieldset>
        <button type="submit" id="save">Lưu sản phẩm</button>
        </form>
        <script src="/static/kho-upload.js" defer></script>
        """
}
