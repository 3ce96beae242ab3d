import NIOCore
import Testing

@testable import GatehouseServer

/// Reading the form of a file send: header parameters, kept parts, and bodies that are refused.
@Suite struct MultipartFormTests {
    @Test(arguments: [
        (#"form-data; name="file"; filename="a; b.png""#, "filename", "a; b.png"),
        (#"form-data; name="file"; filename="x; name=other""#, "name", "file"),
        (#"form-data; filename="say \"hi\".txt"; name=file"#, "filename", #"say "hi".txt"#),
        (#"form-data; NAME = "file""#, "name", "file"),
        ("multipart/form-data; charset=utf-8; boundary=abc", "boundary", "abc"),
        (#"multipart/form-data; boundary="a;b""#, "boundary", "a;b"),
        (#"form-data; filename=x"y; name="file""#, "name", "file"),
        ("form-data; name=\"file\"\u{301}", "name", "file"),
    ])
    func parametersAreReadWithQuotesAndEscapes(header: String, parameter: String, expected: String) {
        #expect(HeaderParameters.value(of: parameter, in: header) == expected)
    }

    @Test(arguments: ["", "form-data", "form-data;", "; name", "form-data; filename*=UTF-8''a.png"])
    func aMissingParameterReadsAsNone(header: String) {
        #expect(HeaderParameters.value(of: "name", in: header) == nil)
        #expect(HeaderParameters.value(of: "filename", in: header) == nil)
    }

    @Test func onlyTheNamedPartsAreKeptTheFirstOfEach() throws {
        var body = ByteBuffer()
        for (name, content) in [("other", "x"), ("file", "first"), ("file", "second"), ("part_number", "2")] {
            body.writeString("--B\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(content)\r\n")
        }
        body.writeString("--B--\r\n")
        let form = try MultipartForm.parse(
            body,
            contentType: "multipart/form-data; boundary=B",
            keeping: ["file", "part_number"]
        )
        #expect(form.parts.keys.sorted() == ["file", "part_number"])
        #expect(form.parts["file"].map { String(buffer: $0.body) } == "first")
        #expect(form.parts["part_number"].map { String(buffer: $0.body) } == "2")
        #expect(throws: (any Error).self) {
            try MultipartForm.parse(body, contentType: "application/json", keeping: ["file"])
        }
    }
}
