// The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json. It describes the routes
// that exist, no more: a test requests every path and method it lists.
import KhoCore

enum OpenAPIDocument {
    static let kinds = "[" + ProductKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") + "]"
    static let channels = "[" + Channel.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") + "]"

    /// The document for a server taking files of at most `maxUploadBytes`, whose archive knows `campaigns`.
    static func text(maxUploadBytes: Int64, campaigns: [Period.Campaign] = Period.builtInCampaigns) -> String {
        template.replacingOccurrences(of: "MAX_UPLOAD_BYTES", with: String(maxUploadBytes))
            .replacingOccurrences(of: "PERIOD_PATTERN", with: periodPattern(campaigns))
    }

    /// The periods the server takes, as a JSON string's pattern: a year from 1900 to 2200 alone
    /// or with a half, quarter or month, or a campaign's key. (Ranges are taken too, undocumented.)
    static func periodPattern(_ campaigns: [Period.Campaign]) -> String {
        let special = Set("\\^$.|?*+()[]{}/\"")
        let keys = campaigns.map { c in String(c.key.flatMap { special.contains($0) ? ["\\", $0] : [$0] }) }
        let escaped = keys.map { $0.replacingOccurrences(of: "\\", with: "\\\\") }
        return "^((19[0-9]{2}|2[01][0-9]{2}|2200)(-([Hh][12]|[Qq][1-4]|0[1-9]|1[0-2]))?" + escaped.map { "|" + $0 }.joined() + ")$"
    }

    static let template = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "Kho API",
        "version": "1",
        "description": "The archive of the communication products of Decision 1079/QĐ-TTg. Every call acts as a user, within their unit's scope: with 'Authorization: Bearer TOKEN' (a token from 'kho users token NAME'), or with the web app's session cookie and its CSRF token in X-CSRF-Token for changes. A product outside the scope is 404. Errors are {\"error\": {\"code\", \"message\"}}."
      },
      "security": [{"bearer": []}, {"session": []}],
      "paths": {
        "/api/v1/openapi.json": {
          "get": {"summary": "This document", "security": [], "responses": {"200": {"description": "The OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}}}}
        },
        "/api/v1/products": {
          "get": {
            "summary": "Products of the caller's scope, newest reference date first, a page at a time",
            "parameters": [
              {"name": "q", "in": "query", "description": "Words to find, with or without diacritics", "schema": {"type": "string"}},
              {"name": "kind", "in": "query", "schema": {"type": "string", "enum": \#(kinds)}},
              {"name": "unit", "in": "query", "description": "A unit code (either table): its products and those under it, inside the caller's scope", "schema": {"type": "string", "maxLength": 40}},
              {"name": "language", "in": "query", "description": "A language tag (tyz) or name (Tày)", "schema": {"type": "string", "maxLength": 100}},
              {"name": "channel", "in": "query", "schema": {"type": "string", "enum": \#(channels)}},
              {"name": "after", "in": "query", "description": "The 'next' of the page before", "schema": {"type": "string", "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2})?\\.[1-9][0-9]{0,17}$"}},
              {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}}
            ],
            "responses": {
              "200": {"description": "A page of products", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProductPage"}}}},
              "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
              "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}
            }
          },
          "post": {
            "operationId": "createProduct",
            "summary": "Add a product of the caller's scope: from complete uploads (its files), or registered on its carrier when not yet digitized",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProductInput"}}}},
            "responses": {
              "200": {"description": "A product with the same title and files was already there: that one", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Put"}}}},
              "201": {"description": "Created; Location is the product", "headers": {"Location": {"schema": {"type": "string"}}},
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Put"}}}},
              "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"},
              "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"},
              "415": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}
            }
          }
        },
        "/api/v1/reports": {
          "get": {
            "summary": "The report of a unit of the caller's scope for a period: what 'kho report --format json' gives (the same figures and fingerprint)",
            "parameters": [
              {"name": "unit", "in": "query", "description": "A unit code of the caller's scope; absent: the caller's unit", "schema": {"type": "string", "maxLength": 40}},
              {"name": "period", "in": "query", "schema": {"type": "string", "pattern": "PERIOD_PATTERN"}},
              {"name": "by", "in": "query", "schema": {"type": "string", "enum": ["unit", "kind", "language", "channel", "period"]}}
            ],
            "responses": {
              "200": {"description": "The report", "content": {"application/json": {"schema": {"type": "object", "required": ["fingerprint"]}}}},
              "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"},
              "404": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}
            }
          }
        },
        "/api/v1/languages": {
          "get": {
            "summary": "The languages Kho knows (Vietnamese, the minority languages by their names, foreign languages), by name or tag",
            "parameters": [{"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 100}}],
            "responses": {
              "200": {"description": "The languages", "content": {"application/json": {"schema": {"type": "object", "required": ["entries"]}}}},
              "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}
            }
          }
        },
        "/api/v1/products/{id}": {
          "get": {
            "summary": "One product with its files and events",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}$"}}],
            "responses": {
              "200": {"description": "The product", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Product"}}}},
              "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}
            }
          },
          "patch": {
            "summary": "Change a product's descriptive fields (those left out keep their values), with the version read (its ETag) in If-Match",
            "parameters": [
              {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}$"}},
              {"name": "If-Match", "in": "header", "schema": {"type": "string"}}
            ],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProductChange"}}}},
            "responses": {
              "200": {"description": "Changed (or nothing to change); ETag is the new version", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Put"}}}},
              "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"},
              "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"},
              "422": {"$ref": "#/components/responses/Error"}
            }
          }
        },
        "/api/v1/units": {
          "get": {
            "summary": "Administrative units by name (with or without diacritics) or code, in both tables (before and from 1 July 2025)",
            "parameters": [
              {"name": "q", "in": "query", "required": true, "schema": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S"}},
              {"name": "scope", "in": "query", "description": "mine: only units of the caller's scope", "schema": {"type": "string", "enum": ["all", "mine"], "default": "all"}}
            ],
            "responses": {
              "200": {"description": "At most 20 units", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UnitList"}}}},
              "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
              "403": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}
            }
          }
        },
        "/api/v1/uploads": {
          "options": {"summary": "The tus protocol's capabilities", "security": [], "responses": {"204": {"description": "Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm"}}},
          "post": {
            "summary": "Start a resumable upload (tus 1.0 creation)",
            "parameters": [
              {"name": "Tus-Resumable", "in": "header", "required": true, "schema": {"const": "1.0.0"}},
              {"name": "Upload-Length", "in": "header", "required": true, "description": "Larger than this server takes: 413", "schema": {"type": "integer", "minimum": 0, "maximum": MAX_UPLOAD_BYTES}},
              {"name": "Upload-Metadata", "in": "header", "description": "filename BASE64[,filetype BASE64]; a repeated key counts once",
               "schema": {"type": "string", "maxLength": 4096,
                          "pattern": "^[!-+\\x2D-~]+( ([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)?(,[!-+\\x2D-~]+( ([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)?)*$"}}
            ],
            "responses": {
              "201": {"description": "Created; Location is the upload's address", "headers": {"Location": {"schema": {"type": "string"}}}},
              "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"},
              "412": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"},
              "507": {"$ref": "#/components/responses/Error"}
            }
          }
        },
        "/api/v1/uploads/{id}": {
          "parameters": [
            {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"}},
            {"name": "Tus-Resumable", "in": "header", "required": true, "schema": {"const": "1.0.0"}}
          ],
          "head": {
            "summary": "How far the upload got (the last durable byte)",
            "responses": {"200": {"description": "Upload-Offset, Upload-Length, Upload-Expires; Kho-Sha256 and Kho-Already-In when complete"},
                          "400": {"description": "No Tus-Resumable"}, "401": {"description": "Not logged in"}, "403": {"description": "Not a role that uploads"},
                          "404": {"description": "No such upload of yours"}, "412": {"description": "Another tus version"}}
          },
          "patch": {
            "summary": "Send the next chunk (tus 1.0 core, checksum)",
            "parameters": [
              {"name": "Upload-Offset", "in": "header", "required": true, "schema": {"type": "integer", "minimum": 0, "maximum": 999999999999999999}},
              {"name": "Upload-Checksum", "in": "header", "description": "sha256 BASE64 of this chunk", "schema": {"type": "string"}}
            ],
            "requestBody": {"required": true, "content": {"application/offset+octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
            "responses": {
              "204": {"description": "Stored; Upload-Offset is where to go on"},
              "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"},
              "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "412": {"$ref": "#/components/responses/Error"},
              "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}, "460": {"$ref": "#/components/responses/Error"}
            }
          },
          "delete": {"summary": "Cancel the upload (tus termination)", "responses": {"204": {"description": "Cancelled"}, "400": {"$ref": "#/components/responses/Error"},
                     "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"},
                     "409": {"$ref": "#/components/responses/Error"}, "412": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/exports": {
          "get": {
            "summary": "The exports of the caller's scope, oldest first (exporters and admins)",
            "responses": {
              "200": {"description": "The exports", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExportList"}}}},
              "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}
            }
          },
          "post": {
            "summary": "Start an export of a unit of the caller's scope and a period: a background job (restricted products never leave)",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExportRequest"}}}},
            "responses": {
              "202": {"description": "Started; Location is the job", "headers": {"Location": {"schema": {"type": "string"}}},
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
              "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"},
              "404": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"},
              "415": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"},
              "429": {"$ref": "#/components/responses/Error"}, "507": {"$ref": "#/components/responses/Error"}
            }
          }
        },
        "/api/v1/exports/{export}/bundle": {
          "get": {
            "summary": "An export's bundle (a BagIt bag as tar, tar.gz or zip); only exports made by the server. Byte ranges as RFC 9110 says (Range, If-Range): 206, or 416 beyond the end",
            "parameters": [
              {"name": "export", "in": "path", "required": true, "schema": {"type": "string", "maxLength": 100}}
            ],
            "responses": {
              "200": {"description": "The bundle", "content": {"application/x-tar": {"schema": {"type": "string", "format": "binary"}},
                      "application/gzip": {"schema": {"type": "string", "format": "binary"}}, "application/zip": {"schema": {"type": "string", "format": "binary"}}}},
              "206": {"description": "Part of the bundle"}, "304": {"description": "Not modified"},
              "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"},
              "404": {"$ref": "#/components/responses/Error"}, "416": {"description": "Range not satisfiable (Content-Range: bytes */N)"}
            }
          }
        },
        "/api/v1/products/{id}/files/{n}": {
          "get": {
            "summary": "A product's stored file N, as the product page offers it (the caller must see the product). Byte ranges as RFC 9110 says (Range, If-Range): 206, or 416 beyond the end; the SHA-256 is the ETag",
            "parameters": [
              {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "maxLength": 100}},
              {"name": "n", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1, "maximum": 100000}}
            ],
            "responses": {
              "200": {"description": "The file", "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}},
              "206": {"description": "Part of the file"}, "304": {"description": "Not modified"},
              "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"},
              "404": {"$ref": "#/components/responses/Error"}, "416": {"description": "Range not satisfiable (Content-Range: bytes */N)"}
            }
          }
        },
        "/api/v1/jobs/{job}": {
          "get": {
            "summary": "A background job of the caller (an export): its state, progress and result",
            "parameters": [{"name": "job", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}],
            "responses": {
              "200": {"description": "The job", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
              "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}
            }
          }
        }
      },
      "components": {
        "securitySchemes": {
          "bearer": {"type": "http", "scheme": "bearer", "description": "kho users token NAME"},
          "session": {"type": "apiKey", "in": "cookie", "name": "kho_session"}
        },
        "responses": {
          "Error": {"description": "What went wrong", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "schemas": {
          "Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}
          },
          "Product": {
            "type": "object", "required": ["id", "title", "kind", "languages", "unit"],
            "properties": {
              "id": {"type": "string"}, "title": {"type": "string"}, "kind": {"type": "string"},
              "languages": {"type": "array", "items": {"type": "string"}}, "unit": {"type": "string"}
            }
          },
          "UnitList": {
            "type": "object", "required": ["units"],
            "properties": {"units": {"type": "array", "items": {"type": "object", "required": ["code", "name", "fullName", "level", "era"],
              "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "fullName": {"type": "string"}, "level": {"type": "string"}, "era": {"type": "string"}}}}}
          },
          "ExportRequest": {
            "type": "object",
            "properties": {
              "unit": {"type": "string", "description": "A unit code of the caller's scope; absent: the caller's unit (or the whole archive)"},
              "period": {"type": "string", "pattern": "PERIOD_PATTERN", "description": "2024, 2024-Q3, 2024-H1, 2024-03, a campaign; absent: every date"},
              "since": {"type": "string", "enum": ["everything", "last"], "description": "last: only what changed after the last export of this scope"},
              "format": {"type": "string", "enum": ["tar", "tar.gz", "zip"], "default": "tar"}
            }
          },
          "Job": {
            "type": "object", "required": ["id", "kind", "state", "owner", "parameters", "result", "createdAt", "bytesDone", "bytesTotal", "itemsDone", "itemsTotal"],
            "properties": {
              "id": {"type": "string"}, "kind": {"type": "string", "enum": ["export", "import_check", "import"]},
              "state": {"type": "string", "enum": ["queued", "running", "done", "failed", "interrupted"]}, "owner": {"type": "string"},
              "parameters": {"type": "object", "additionalProperties": {"type": "string"}}, "result": {"type": "object", "additionalProperties": {"type": "string"}},
              "message": {"type": ["string", "null"]}, "createdAt": {"type": "string"}, "startedAt": {"type": ["string", "null"]}, "finishedAt": {"type": ["string", "null"]},
              "bytesDone": {"type": "integer"}, "bytesTotal": {"type": "integer"}, "itemsDone": {"type": "integer"}, "itemsTotal": {"type": "integer"},
              "download": {"type": ["string", "null"]}
            }
          },
          "ExportList": {
            "type": "object", "required": ["exports"],
            "properties": {"exports": {"type": "array", "items": {"type": "object", "required": ["exportID", "scope", "period", "createdAt", "format", "bundleSHA256", "payloadBytes", "products"],
              "properties": {"exportID": {"type": "string"}, "scope": {"type": "string"}, "period": {"type": "string"}, "follows": {"type": ["string", "null"]},
                             "createdAt": {"type": "string"}, "format": {"type": "string"}, "bundleSHA256": {"type": "string"}, "payloadBytes": {"type": "integer"},
                             "products": {"type": "integer"}, "download": {"type": ["string", "null"]}, "bundleBytes": {"type": ["integer", "null"]}}}}}
          },
          "ProductChange": {
            "type": "object", "additionalProperties": false,
            "description": "The fields to change; those left out keep their values, those given as null are emptied (produced, published, channels, topics, campaign, description, creator)",
            "properties": {
              "title": {"type": "string"}, "kind": {"type": "string", "enum": \#(kinds)}, "languages": {"type": "array", "items": {"type": "string"}},
              "unit": {"type": "string"}, "produced": {"type": ["string", "null"], "format": "date"}, "published": {"type": ["string", "null"], "format": "date"},
              "channels": {"type": ["array", "null"], "items": {"type": "string"}}, "topics": {"type": ["array", "null"], "items": {"type": "string"}},
              "campaign": {"type": ["string", "null"]}, "description": {"type": ["string", "null"]}, "creator": {"type": ["string", "null"]},
              "access": {"type": "string", "enum": ["public", "internal", "restricted"]},
              "version": {"type": "string", "description": "The version read, if not in If-Match"}
            }
          },
          "ProductInput": {
            "type": "object", "additionalProperties": false,
            "properties": {
              "title": {"type": "string"}, "kind": {"type": "string", "enum": \#(kinds)}, "languages": {"type": "array", "items": {"type": "string"}},
              "unit": {"type": "string"}, "produced": {"type": "string", "format": "date"}, "published": {"type": "string", "format": "date"},
              "channels": {"type": "array", "items": {"type": "string"}}, "topics": {"type": "array", "items": {"type": "string"}},
              "campaign": {"type": "string"}, "description": {"type": "string"}, "creator": {"type": "string"},
              "access": {"type": "string", "enum": ["public", "internal", "restricted"]},
              "uploads": {"type": "array", "items": {"type": "string", "pattern": "^[0-9a-f]{32}$"}, "description": "Creating: complete uploads of the caller"},
              "carrier": {"type": "string", "description": "Creating without uploads: what the product is on (paper, print, audio_tape…)"},
              "version": {"type": "string", "description": "Editing: the version read, if not in If-Match"}
            }
          },
          "Put": {
            "description": "The product's fields (as GET gives them) with what the change did beside them",
            "allOf": [{"$ref": "#/components/schemas/Product"}, {
              "type": "object", "required": ["status"],
              "properties": {"status": {"type": "string", "enum": ["stored", "already_present"]},
                             "notices": {"type": "array", "items": {"type": "string"}}, "warnings": {"type": "array", "items": {"type": "string"}}}}]
          },
          "ProductPage": {
            "type": "object", "required": ["products"],
            "properties": {"products": {"type": "array", "items": {"$ref": "#/components/schemas/Product"}}, "next": {"type": ["string", "null"]}}
          }
        }
      }
    }
    """#
}
