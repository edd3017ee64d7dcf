// CloudFront viewer-request function of /api/*: the client's address as CloudFront saw it, in the header
// the app reads (chalicelib/api/http.py source_ip). A value the client sent is overwritten; the app trusts
// it only beside X-Balcao-Origin, the secret CloudFront adds to origin requests.
function handler(event) {
  var request = event.request;
  request.headers["x-balcao-viewer-address"] = { value: event.viewer.ip };
  return request;
}
