package io.wharf.sigv4;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import io.wharf.sigv4.SigV4Verifier.Caller;
import io.wharf.sigv4.SigV4Verifier.Scope;
import io.wharf.sigv4.SigV4Verifier.SignedRequest;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner.AuthLocation;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;

/**
 * Requests are signed by the AWS SDK for Java v2 signer, by hand from a literal canonical request,
 * or taken from AWS's published SigV4 test suite, and checked by a verifier on a fixed clock.
 */
class SigV4VerifierTest {

  private static final String ACCESS_KEY = "AKIAWHARFEXAMPLE0001";
  private static final String SECRET = "wharf+Example/Secret0Key0000000000000000";
  private static final Instant SIGNED_AT = Instant.parse("2026-03-14T09:26:53Z");
  private static final Duration SKEW = Duration.ofMinutes(15);
  private static final String ECS_HOST = "ecs.us-east-1.amazonaws.com";
  private static final byte[] LIST_CLUSTERS_BODY = "{\"maxResults\":10}".getBytes(UTF_8);

  // Credentials and time of AWS's published SigV4 test suite.
  private static final String SUITE_ACCESS_KEY = "AKIDEXAMPLE";
  private static final String SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  private static final Instant SUITE_TIME = Instant.parse("2015-08-30T12:36:00Z");
  private static final String SUITE_SCOPE = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
  private static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private static final String MISMATCH =
      "The request signature we calculated does not match the signature you provided. Check your"
          + " AWS Secret Access Key and signing method. Consult the service documentation for"
          + " details.";

  /** The fake key store: a map, as the real one will be a table. */
  private static final Map<String, String> SECRETS =
      Map.of(ACCESS_KEY, SECRET, SUITE_ACCESS_KEY, SUITE_SECRET);

  private static final AwsV4HttpSigner SDK_SIGNER = AwsV4HttpSigner.create();

  // --- Requests as the AWS SDK sends them ---------------------------------------------------

  @Test
  void acceptsAnEcsCallSignedByTheSdkAndReturnsTheCaller() {
    SignedRequest request = signedListClusters();

    Caller caller = verifierAt(SIGNED_AT).verify(request);

    assertThat(caller).isEqualTo(new Caller(ACCESS_KEY, "us-east-1", "ecs"));
    // The SDK signs its bookkeeping headers too; all of them must have been checked.
    assertThat(request.headers().get("authorization").getFirst())
        .contains(
            "SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;"
                + "x-amz-date;x-amz-target,");
  }

  @Test
  void acceptsTheHeaderSetOfAwsCliVersion1() {
    // The CLI v1 signs just these four; the rest of what it sends is not signed.
    SdkHttpRequest cliRequest =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .protocol("https")
            .host(ECS_HOST)
            .encodedPath("/")
            .putHeader("Content-Type", "application/x-amz-json-1.1")
            .putHeader("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters")
            .build();
    SignedRequest signed = legacySdkSigned(cliRequest, LIST_CLUSTERS_BODY);
    SignedRequest asSent =
        withHeader(
            withHeader(signed, "user-agent", "aws-cli/1.36.0 Python/3.12.3 botocore/1.35.0"),
            "content-length",
            String.valueOf(LIST_CLUSTERS_BODY.length));

    assertThat(asSent.headers().get("authorization").getFirst())
        .contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target,");
    assertThat(verifierAt(SIGNED_AT).verify(asSent).accessKeyId()).isEqualTo(ACCESS_KEY);
  }

  @Test
  void acceptsAuthorizationWithAnyWhitespaceAfterCommasAndComponentsInAnyOrder() {
    SignedRequest request = signedListClusters();
    String signature = component(request, "Signature");
    String credential = component(request, "Credential");
    String signedHeaders = component(request, "SignedHeaders");
    SigV4Verifier verifier = verifierAt(SIGNED_AT);

    for (String authorization :
        List.of(
            "AWS4-HMAC-SHA256 Credential=%s,SignedHeaders=%s,Signature=%s",
            "AWS4-HMAC-SHA256  Credential=%s ,   SignedHeaders=%s,\tSignature=%s ",
            "AWS4-HMAC-SHA256 SignedHeaders=%2$s, Signature=%3$s, Credential=%1$s")) {
      SignedRequest variant =
          withHeader(
              request,
              "authorization",
              authorization.formatted(credential, signedHeaders, signature));
      assertThat(verifier.verify(variant).accessKeyId()).as(authorization).isEqualTo(ACCESS_KEY);
    }
  }

  @Test
  void acceptsHeaderNamesInAnyCaseAndMultipleValuesInTheirOrder() {
    SdkHttpRequest unsigned =
        listClusters().toBuilder()
            .appendHeader("X-Wharf-Trace", "  first ")
            .appendHeader("X-Wharf-Trace", "second    value")
            .build();
    SignedRequest request = sdkSigned(unsigned, LIST_CLUSTERS_BODY, ACCESS_KEY, SECRET, o -> {});
    SigV4Verifier verifier = verifierAt(SIGNED_AT);

    // The SDK's header map keeps "Host", "X-Amz-Date"...; the record folds them to lower case.
    assertThat(request.headers()).containsKeys("host", "x-amz-date", "x-wharf-trace");
    assertThat(verifier.verify(request).accessKeyId()).isEqualTo(ACCESS_KEY);
    // The values are signed in order: the same values the other way round are a different request.
    SignedRequest reordered = withHeader(request, "x-wharf-trace", "second    value", " first");
    assertRejected(verifier, reordered, ErrorCode.INVALID_SIGNATURE, MISMATCH);
  }

  @Test
  void canonicalizesAQueryWithReservedAndNonAsciiCharactersAsTheSdkSignedIt() {
    SdkHttpRequest unsigned =
        listClusters().toBuilder()
            .method(SdkHttpMethod.GET)
            .putRawQueryParameter("filter", "name = 'web app' & status:RUNNING/*+%")
            .putRawQueryParameter("tag", List.of("zeta", "Alpha", "µ-ß", "alpha"))
            .putRawQueryParameter("empty", "")
            .putRawQueryParameter("tilde~key", "a~b")
            .build();
    SignedRequest request = sdkSigned(unsigned, new byte[0], ACCESS_KEY, SECRET, o -> {});
    SigV4Verifier verifier = verifierAt(SIGNED_AT);

    // The SDK escaped what needs escaping: the verifier must decode and re-encode to match.
    assertThat(request.rawQuery())
        .contains("%20", "%27", "%26", "%2F", "%2A", "%2B", "%25", "%C2%B5");
    assertThat(verifier.verify(request).accessKeyId()).isEqualTo(ACCESS_KEY);

    // Other clients escape differently (lower-case hex, needless escapes): the same signature.
    String otherClient = request.rawQuery().replace("%2F", "%2f").replace("~", "%7E");
    assertThat(verifier.verify(withQuery(request, otherClient)).accessKeyId())
        .isEqualTo(ACCESS_KEY);

    // A changed value is a different request.
    String changed = request.rawQuery().replace("zeta", "zetb");
    assertRejected(verifier, withQuery(request, changed), ErrorCode.INVALID_SIGNATURE, MISMATCH);
  }

  @Test
  void normalizesAndDoublyEncodesThePathLikeTheSdkForServicesOtherThanS3() {
    SdkHttpRequest unsigned =
        listClusters().toBuilder()
            .encodedPath("/v1//clusters/./old/../web%20app%2Bcanary/")
            .build();
    SignedRequest request = sdkSigned(unsigned, LIST_CLUSTERS_BODY, ACCESS_KEY, SECRET, o -> {});

    assertThat(verifierAt(SIGNED_AT).verify(request).service()).isEqualTo("ecs");
    assertRejected(
        verifierAt(SIGNED_AT),
        withPath(request, "/v1/clusters/web%20app%2Bcanary"),
        ErrorCode.INVALID_SIGNATURE,
        MISMATCH);
  }

  @Test
  void signsTheS3PathAsSent() {
    SdkHttpRequest unsigned =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.GET)
            .protocol("https")
            .host("s3.us-east-1.amazonaws.com")
            .encodedPath("/bucket/a%20b//c/./d")
            .build();
    SignedRequest request =
        sdkSigned(
            unsigned,
            new byte[0],
            ACCESS_KEY,
            SECRET,
            o ->
                o.putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                    .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false));

    assertThat(verifierAt(SIGNED_AT).verify(request).service()).isEqualTo("s3");
  }

  // --- Tampering and wrong keys -------------------------------------------------------------

  @Test
  void rejectsATamperedBody() {
    SignedRequest request = signedListClusters();
    SignedRequest tampered = withBody(request, "{\"maxResults\":99}".getBytes(UTF_8));

    assertRejected(verifierAt(SIGNED_AT), tampered, ErrorCode.INVALID_SIGNATURE, MISMATCH);
  }

  @Test
  void rejectsATamperedSignedHeaderButIgnoresUnsignedOnes() {
    SignedRequest request = signedListClusters();
    SigV4Verifier verifier = verifierAt(SIGNED_AT);
    SignedRequest otherAction =
        withHeader(request, "x-amz-target", "AmazonEC2ContainerServiceV20141113.DeleteCluster");
    SignedRequest otherAgent = withHeader(request, "user-agent", "curl/8.5.0");

    assertRejected(verifier, otherAction, ErrorCode.INVALID_SIGNATURE, MISMATCH);
    assertThat(verifier.verify(otherAgent).accessKeyId()).isEqualTo(ACCESS_KEY);
  }

  @Test
  void rejectsASignatureMadeWithTheWrongSecret() {
    SignedRequest request =
        sdkSigned(listClusters(), LIST_CLUSTERS_BODY, ACCESS_KEY, SECRET + "x", o -> {});

    assertRejected(verifierAt(SIGNED_AT), request, ErrorCode.INVALID_SIGNATURE, MISMATCH);
  }

  @Test
  void rejectsAnUnknownAccessKey() {
    SignedRequest request =
        sdkSigned(listClusters(), LIST_CLUSTERS_BODY, "AKIAUNKNOWN000000000", SECRET, o -> {});

    assertRejected(
        verifierAt(SIGNED_AT),
        request,
        ErrorCode.UNRECOGNIZED_CLIENT,
        "The security token included in the request is invalid.");
  }

  @Test
  void rejectsARequestWithoutAnySignature() {
    SdkHttpRequest unsigned = listClusters();
    SignedRequest request = received(unsigned, LIST_CLUSTERS_BODY);

    assertRejected(
        verifierAt(SIGNED_AT),
        request,
        ErrorCode.MISSING_AUTHENTICATION_TOKEN,
        "Missing Authentication Token");
  }

  // --- Malformed signatures -----------------------------------------------------------------

  static Stream<Arguments> malformedRequests() {
    return Stream.of(
        malformed(
            "no Signature",
            r -> withAuthorization(r, a -> a.replaceFirst(", Signature=[0-9a-f]+", "")),
            "Authorization header requires 'Signature' parameter."),
        malformed(
            "no Credential",
            r -> withAuthorization(r, a -> a.replaceFirst("Credential=[^,]+, ", "")),
            "Authorization header requires 'Credential' parameter."),
        malformed(
            "no SignedHeaders",
            r -> withAuthorization(r, a -> a.replaceFirst("SignedHeaders=[^,]+, ", "")),
            "Authorization header requires 'SignedHeaders' parameter."),
        malformed(
            "nothing but the algorithm",
            r -> withHeader(r, "authorization", "AWS4-HMAC-SHA256 garbage"),
            "Authorization header requires 'Credential' parameter. Authorization header requires"
                + " 'Signature' parameter. Authorization header requires 'SignedHeaders'"
                + " parameter."),
        malformed(
            "another algorithm",
            r -> withAuthorization(r, a -> a.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256")),
            "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'."),
        malformed(
            "a Signature Version 2 header",
            r ->
                withHeader(
                    r, "authorization", "AWS " + ACCESS_KEY + ":frJIUN8DYpKDtOLCwo//yllqDzg="),
            "Unsupported AWS 'algorithm': 'AWS'."),
        malformed(
            "a scope without region",
            r -> withAuthorization(r, a -> a.replace("/us-east-1/", "/")),
            "Credential must have exactly 5 slash-delimited elements, e.g."
                + " keyid/date/region/service/term, got '"
                + ACCESS_KEY
                + "/20260314/ecs/aws4_request'"),
        malformed(
            "a wrong scope terminator",
            r -> withAuthorization(r, a -> a.replace("/aws4_request", "/aws5_request")),
            "Credential should be scoped with a valid terminator: 'aws4_request', not"
                + " 'aws5_request'."),
        malformed(
            "a scope date that is no date",
            r -> withAuthorization(r, a -> a.replace("/20260314/", "/2026-03-14/")),
            "Credential should be scoped to a date in the format yyyyMMdd, not '2026-03-14'."),
        malformed(
            "host not signed",
            r -> withAuthorization(r, a -> a.replace(";host;", ";")),
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."),
        malformed(
            "a signed header missing from the request",
            r -> without(r, "x-amz-target"),
            "Header 'x-amz-target' is listed in SignedHeaders but is absent from the request."),
        malformed(
            "no date at all",
            r -> without(r, "x-amz-date"),
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date'"
                + " header."),
        malformed(
            "an x-amz-date in extended format",
            r -> withHeader(r, "x-amz-date", "2026-03-14T09:26:53Z"),
            "Date must be in ISO-8601 'basic format'. Got '2026-03-14T09:26:53Z'."),
        malformed(
            "an x-amz-date that does not exist",
            r -> withHeader(r, "x-amz-date", "20260231T092653Z"),
            "Date must be in ISO-8601 'basic format'. Got '20260231T092653Z'."),
        malformed(
            "both a header and a query signature",
            r -> withQuery(r, "X-Amz-Signature=" + "0".repeat(64)),
            "Only one auth mechanism allowed"));
  }

  private static Arguments malformed(
      String name, UnaryOperator<SignedRequest> change, String message) {
    return Arguments.of(name, change, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedRequests")
  void rejectsMalformedSignaturesAsIncomplete(
      String name, UnaryOperator<SignedRequest> change, String message) {
    SignedRequest request = change.apply(signedListClusters());

    assertRejected(verifierAt(SIGNED_AT), request, ErrorCode.INCOMPLETE_SIGNATURE, message);
  }

  @Test
  void rejectsACredentialScopedToAnotherDayThanTheRequest() {
    SignedRequest request =
        withAuthorization(signedListClusters(), a -> a.replace("/20260314/", "/20260313/"));

    assertRejected(
        verifierAt(SIGNED_AT),
        request,
        ErrorCode.INVALID_SIGNATURE,
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP:"
            + " '20260313' != '20260314', from '20260314T092653Z'.");
  }

  // --- Time -----------------------------------------------------------------------------------

  @Test
  void rejectsARequestOlderThanTheClockSkew() {
    SigV4Verifier verifier = verifierAt(SIGNED_AT.plus(Duration.ofMinutes(16)));

    assertRejected(
        verifier,
        signedListClusters(),
        ErrorCode.INVALID_SIGNATURE,
        "Signature expired: 20260314T092653Z is now earlier than 20260314T092753Z"
            + " (20260314T094253Z - 15 min.)");
  }

  @Test
  void rejectsARequestFurtherAheadThanTheClockSkew() {
    SigV4Verifier verifier = verifierAt(SIGNED_AT.minus(Duration.ofMinutes(16)));

    assertRejected(
        verifier,
        signedListClusters(),
        ErrorCode.INVALID_SIGNATURE,
        "Signature not yet current: 20260314T092653Z is still later than 20260314T092553Z"
            + " (20260314T091053Z + 15 min.)");
  }

  @Test
  void acceptsRequestsWithinTheClockSkewUpToItsEdgeBothWays() {
    SignedRequest request = signedListClusters();

    for (Duration offset :
        List.of(
            SKEW.negated(),
            Duration.ofMinutes(-14),
            Duration.ofMillis(999),
            Duration.ofMinutes(14),
            SKEW.plusMillis(999))) {
      assertThat(verifierAt(SIGNED_AT.plus(offset)).verify(request).accessKeyId())
          .as("clock at signing time %s", offset)
          .isEqualTo(ACCESS_KEY);
    }
  }

  @Test
  void namesTheConfiguredSkewInItsMessages() {
    Clock later = Clock.fixed(SIGNED_AT.plus(Duration.ofMinutes(6)), ZoneOffset.UTC);
    Clock earlier = Clock.fixed(SIGNED_AT.minus(Duration.ofSeconds(91)), ZoneOffset.UTC);

    assertRejected(
        new SigV4Verifier(SigV4VerifierTest::secretOf, later, Duration.ofMinutes(5)),
        signedListClusters(),
        ErrorCode.INVALID_SIGNATURE,
        "(20260314T093253Z - 5 min.)");
    assertRejected(
        new SigV4Verifier(SigV4VerifierTest::secretOf, earlier, Duration.ofSeconds(90)),
        signedListClusters(),
        ErrorCode.INVALID_SIGNATURE,
        "Signature not yet current: 20260314T092653Z is still later than 20260314T092652Z"
            + " (20260314T092522Z + 90 sec.)");
  }

  @Test
  void acceptsTheHttpDateHeaderWhenThereIsNoXAmzDate() {
    // The hand signer below first proves itself on the published get-vanilla case.
    assertThat(
            referenceSignature(
                SUITE_SECRET,
                "20150830T123600Z",
                "20150830/us-east-1/service/aws4_request",
                "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                    + "host;x-amz-date\n"
                    + EMPTY_SHA256))
        .isEqualTo("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    String httpDate = DateTimeFormatter.RFC_1123_DATE_TIME.format(SIGNED_AT.atZone(ZoneOffset.UTC));
    String canonical =
        String.join(
            "\n",
            "GET",
            "/",
            "",
            "date:" + httpDate,
            "host:wharf.example:8080",
            "",
            "date;host",
            EMPTY_SHA256);
    String scope = "20260314/eu-west-1/ecs/aws4_request";
    String signature = referenceSignature(SECRET, "20260314T092653Z", scope, canonical);
    SignedRequest request =
        new SignedRequest(
            "GET",
            "/",
            null,
            Map.of(
                "Date", List.of(httpDate),
                "Host", List.of("wharf.example:8080"),
                "Authorization",
                    List.of(
                        "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=date;host, Signature=%s"
                            .formatted(ACCESS_KEY, scope, signature))),
            null);

    assertThat(verifierAt(SIGNED_AT).verify(request))
        .isEqualTo(new Caller(ACCESS_KEY, "eu-west-1", "ecs"));
    assertRejected(
        verifierAt(SIGNED_AT),
        withHeader(request, "date", "yesterday"),
        ErrorCode.INCOMPLETE_SIGNATURE,
        "Date header must be an RFC 1123 date. Got 'yesterday'.");
  }

  // --- Declared payload hashes ----------------------------------------------------------------

  @Test
  void checksADeclaredPayloadHashAgainstTheBody() {
    SdkHttpRequest unsigned =
        listClusters().toBuilder()
            .putHeader("x-amz-content-sha256", sha256Hex(LIST_CLUSTERS_BODY))
            .build();
    SignedRequest request = sdkSigned(unsigned, LIST_CLUSTERS_BODY, ACCESS_KEY, SECRET, o -> {});
    SigV4Verifier verifier = verifierAt(SIGNED_AT);

    assertThat(request.headers().get("authorization").getFirst())
        .contains(";x-amz-content-sha256;");
    assertThat(verifier.verify(request).accessKeyId()).isEqualTo(ACCESS_KEY);
    assertRejected(
        verifier,
        withBody(request, "{}".getBytes(UTF_8)),
        ErrorCode.INVALID_SIGNATURE,
        "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  @Test
  void acceptsAnyBodyUnderAnUnsignedPayload() {
    SignedRequest request =
        sdkSigned(
            listClusters(),
            LIST_CLUSTERS_BODY,
            ACCESS_KEY,
            SECRET,
            o -> o.putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false));

    assertThat(request.headers().get("x-amz-content-sha256")).containsExactly("UNSIGNED-PAYLOAD");
    // The signer chose not to vouch for the body; the headers are still protected.
    SignedRequest otherBody = withBody(request, "{\"maxResults\":99}".getBytes(UTF_8));
    assertThat(verifierAt(SIGNED_AT).verify(otherBody).accessKeyId()).isEqualTo(ACCESS_KEY);
    assertRejected(
        verifierAt(SIGNED_AT),
        withHeader(request, "x-amz-target", "AmazonEC2ContainerServiceV20141113.DeleteCluster"),
        ErrorCode.INVALID_SIGNATURE,
        MISMATCH);
  }

  // --- Presigned URLs -------------------------------------------------------------------------

  @Test
  void acceptsAPresignedUrlUntilItExpires() {
    SignedRequest request =
        sdkSigned(
            listClusters(),
            LIST_CLUSTERS_BODY,
            ACCESS_KEY,
            SECRET,
            o ->
                o.putProperty(AwsV4HttpSigner.AUTH_LOCATION, AuthLocation.QUERY_STRING)
                    .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(5)));

    assertThat(request.headers()).doesNotContainKey("authorization");
    try {
      verifierAt(SIGNED_AT).verify(withBody(request, new byte[] {1}));
      System.out.println("PRESIGNED unsigned payload");
    } catch (WharfException e) {
      System.out.println("PRESIGNED body hash " + e.getMessage());
    }
    assertThat(request.rawQuery()).contains("X-Amz-Signature=", "X-Amz-Expires=300");
    assertThat(verifierAt(SIGNED_AT.plus(Duration.ofMinutes(5))).verify(request))
        .isEqualTo(new Caller(ACCESS_KEY, "us-east-1", "ecs"));
    assertRejected(
        verifierAt(SIGNED_AT.plus(Duration.ofMinutes(6))),
        request,
        ErrorCode.INVALID_SIGNATURE,
        "Signature expired: 20260314T092653Z is now earlier than 20260314T092753Z"
            + " (20260314T093253Z - 5 min.)");
    assertRejected(
        verifierAt(SIGNED_AT),
        withQuery(request, request.rawQuery().replace("X-Amz-Expires=300", "X-Amz-Expires=3000")),
        ErrorCode.INVALID_SIGNATURE,
        MISMATCH);
    // Outside S3 the SDK signs the body's hash into a presigned URL as well.
    assertRejected(
        verifierAt(SIGNED_AT),
        withBody(request, "{}".getBytes(UTF_8)),
        ErrorCode.INVALID_SIGNATURE,
        MISMATCH);
  }

  @Test
  void acceptsAnS3StylePresignedUrlWithUnsignedPayload() {
    String query =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential="
            + ACCESS_KEY
            + "%2F20260314%2Fus-east-1%2Fecs%2Faws4_request"
            + "&X-Amz-Date=20260314T092653Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host";
    String canonical =
        String.join("\n", "GET", "/", query, "host:wharf.example", "", "host", "UNSIGNED-PAYLOAD");
    String signature =
        referenceSignature(
            SECRET, "20260314T092653Z", "20260314/us-east-1/ecs/aws4_request", canonical);
    SignedRequest request =
        new SignedRequest(
            "GET",
            "/",
            query + "&X-Amz-Signature=" + signature,
            Map.of("host", List.of("wharf.example")),
            "any body at all".getBytes(UTF_8));

    assertThat(verifierAt(SIGNED_AT.plusSeconds(60)).verify(request))
        .isEqualTo(new Caller(ACCESS_KEY, "us-east-1", "ecs"));
    assertRejected(
        verifierAt(SIGNED_AT.plusSeconds(61)),
        request,
        ErrorCode.INVALID_SIGNATURE,
        "(20260314T092754Z - 1 min.)");
  }

  @Test
  void rejectsAPresignedUrlMissingParameters() {
    SignedRequest request =
        new SignedRequest(
            "GET",
            "/",
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20260314T092653Z",
            Map.of("host", List.of(ECS_HOST)),
            null);

    assertRejected(
        verifierAt(SIGNED_AT),
        request,
        ErrorCode.INCOMPLETE_SIGNATURE,
        "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters"
            + " must include 'X-Amz-Signature'. AWS query-string parameters must include"
            + " 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.");
  }

  // --- AWS's published test suite -------------------------------------------------------------

  /**
   * Cases of the AWS SigV4 test suite (as in awslabs/aws-c-auth, tests/aws-signing-test-suite/v4)
   * and the IAM example of the AWS signing documentation, with their published signatures.
   */
  static Stream<Arguments> publishedVectors() {
    return Stream.of(
        Arguments.of(
            "get-vanilla",
            suiteRequest(
                "/",
                null,
                Map.of(),
                "host;x-amz-date",
                "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")),
        Arguments.of(
            "get-vanilla-query-order-key-case",
            suiteRequest(
                "/",
                "Param2=value2&Param1=value1",
                Map.of(),
                "host;x-amz-date",
                "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")),
        Arguments.of(
            "get-vanilla-query-unreserved",
            suiteRequest(
                "/",
                "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    + "=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                Map.of(),
                "host;x-amz-date",
                "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197")),
        Arguments.of(
            "get-vanilla-utf8-query",
            suiteRequest(
                "/",
                "%E1%88%B4=bar",
                Map.of(),
                "host;x-amz-date",
                "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04")),
        Arguments.of(
            "get-header-value-trim",
            suiteRequest(
                "/",
                null,
                Map.of("My-Header1", List.of(" value1"), "My-Header2", List.of(" \"a   b   c\"")),
                "host;my-header1;my-header2;x-amz-date",
                "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736")),
        Arguments.of(
            "get-slashes-normalized",
            suiteRequest(
                "//example//",
                null,
                Map.of(),
                "host;x-amz-date",
                "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84")),
        Arguments.of(
            "iam-list-users (AWS documentation)",
            new SignedRequest(
                "GET",
                "/",
                "Action=ListUsers&Version=2010-05-08",
                Map.of(
                    "Host", List.of("iam.amazonaws.com"),
                    "Content-Type", List.of("application/x-www-form-urlencoded; charset=utf-8"),
                    "X-Amz-Date", List.of("20150830T123600Z"),
                    "Authorization",
                        List.of(
                            "AWS4-HMAC-SHA256"
                                + " Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request,"
                                + " SignedHeaders=content-type;host;x-amz-date,"
                                + " Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")),
                null)),
        Arguments.of(
            "get-vanilla-query-order-key-case, presigned",
            new SignedRequest(
                "GET",
                "/",
                "Param2=value2&Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256"
                    + "&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request"
                    + "&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600"
                    + "&X-Amz-Signature=86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5",
                Map.of(
                    "Host", List.of("example.amazonaws.com"),
                    "X-Amz-Date", List.of("20150830T123600Z")),
                null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("publishedVectors")
  void acceptsThePublishedTestSuiteSignatures(String name, SignedRequest request) {
    SigV4Verifier verifier = verifierAt(SUITE_TIME);

    assertThat(verifier.verify(request).accessKeyId()).isEqualTo(SUITE_ACCESS_KEY);
    // And the signature is what carries it: one digit off and the same request fails.
    String signature = signatureOf(request);
    String forged = (signature.charAt(0) == '0' ? "1" : "0") + signature.substring(1);
    SignedRequest forgery =
        request.rawQuery().contains("X-Amz-Signature=")
            ? withQuery(request, request.rawQuery().replace(signature, forged))
            : withAuthorization(request, a -> a.replace(signature, forged));
    assertRejected(verifier, forgery, ErrorCode.INVALID_SIGNATURE, MISMATCH);
  }

  @Test
  void derivesTheSigningKeyOfTheAwsDocumentationAndBoundsItsCache() {
    SigningKeys keys = new SigningKeys(2);

    // The signing key AWS's documentation derives for its IAM example.
    assertThat(
            HexFormat.of().formatHex(keys.signingKey(SUITE_SECRET, "20150830", "us-east-1", "iam")))
        .isEqualTo("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
    List<byte[]> derived = new ArrayList<>();
    for (String region :
        List.of("us-east-1", "us-west-2", "eu-west-1", "ap-south-1", "us-east-1")) {
      derived.add(keys.signingKey(SECRET, "20260314", region, "ecs"));
      assertThat(keys.size()).isLessThanOrEqualTo(2);
    }
    assertThat(derived.get(4)).isEqualTo(derived.get(0)).isNotEqualTo(derived.get(1));
  }

  // --- Concurrency ----------------------------------------------------------------------------

  @Test
  void givesEveryConcurrentCallerItsOwnAnswerThroughATinyKeyCache() throws Exception {
    List<String> regions = List.of("us-east-1", "us-west-2", "eu-central-1", "ap-northeast-1");
    List<SignedRequest> valid = new ArrayList<>();
    for (String region : regions) {
      valid.add(
          sdkSigned(
              listClusters(),
              LIST_CLUSTERS_BODY,
              ACCESS_KEY,
              SECRET,
              o -> o.putProperty(AwsV4HttpSigner.REGION_NAME, region)));
    }
    // Two cached keys for four regions: threads keep evicting each other's entries.
    SigV4Verifier verifier =
        new SigV4Verifier(
            SigV4VerifierTest::secretOf, Clock.fixed(SIGNED_AT, ZoneOffset.UTC), SKEW, 2);

    List<Future<String>> outcomes = new ArrayList<>();
    try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
      for (int i = 0; i < 400; i++) {
        SignedRequest request = valid.get(i % regions.size());
        boolean tamper = i % 3 == 0;
        SignedRequest sent = tamper ? withBody(request, "{}".getBytes(UTF_8)) : request;
        outcomes.add(
            threads.submit(
                () -> {
                  try {
                    return verifier.verify(sent).region();
                  } catch (WharfException e) {
                    return e.code().name();
                  }
                }));
      }
    }

    for (int i = 0; i < outcomes.size(); i++) {
      String expected =
          i % 3 == 0 ? ErrorCode.INVALID_SIGNATURE.name() : regions.get(i % regions.size());
      assertThat(outcomes.get(i).get()).as("request %d", i).isEqualTo(expected);
    }
  }

  // --- An API's scope: decided from the headers, before the body -----------------------------

  private static final Scope ECS_SCOPE =
      Scope.of("ecs", "us-east-1", "x-amz-target", "content-type");

  @Test
  void decidesASignatureOverADeclaredPayloadHashWithoutTheBody() {
    SdkHttpRequest declaring =
        listClusters().toBuilder()
            .putHeader("x-amz-content-sha256", sha256Hex(LIST_CLUSTERS_BODY))
            .build();
    SignedRequest forged =
        sdkSigned(declaring, LIST_CLUSTERS_BODY, ACCESS_KEY, SECRET + "x", o -> {});
    SignedRequest genuine = sdkSigned(declaring, LIST_CLUSTERS_BODY, ACCESS_KEY, SECRET, o -> {});
    SigV4Verifier verifier = verifierAt(SIGNED_AT);

    assertThatThrownBy(() -> verifier.verifyHeaders(withBody(forged, null), ECS_SCOPE))
        .isInstanceOfSatisfying(
            WharfException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SIGNATURE));
    SigV4Verifier.PayloadCheck check = verifier.verifyHeaders(withBody(genuine, null), ECS_SCOPE);
    assertThat(check.verifyPayload(LIST_CLUSTERS_BODY).accessKeyId()).isEqualTo(ACCESS_KEY);
    assertThatThrownBy(() -> check.verifyPayload("{}".getBytes(UTF_8)))
        .hasMessageContaining("'x-amz-content-sha256' header does not match");
  }

  @Test
  void refusesAnUnknownKeyOrAForeignScopeFromTheHeadersAloneWithoutLookingUpAnOutOfScopeKey() {
    List<String> lookedUp = new ArrayList<>();
    SigV4Verifier verifier =
        new SigV4Verifier(
            key -> {
              lookedUp.add(key);
              return secretOf(key);
            },
            Clock.fixed(SIGNED_AT, ZoneOffset.UTC),
            SKEW);
    SignedRequest unknownKey =
        sdkSigned(listClusters(), LIST_CLUSTERS_BODY, "AKIAUNKNOWN000000000", SECRET, o -> {});
    SignedRequest otherRegion =
        sdkSigned(
            listClusters(),
            LIST_CLUSTERS_BODY,
            ACCESS_KEY,
            SECRET,
            o -> o.putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1"));

    assertThatThrownBy(() -> verifier.verifyHeaders(withBody(unknownKey, null), ECS_SCOPE))
        .isInstanceOfSatisfying(
            WharfException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNRECOGNIZED_CLIENT));
    assertThatThrownBy(() -> verifier.verifyHeaders(withBody(otherRegion, null), ECS_SCOPE))
        .isInstanceOfSatisfying(
            WharfException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SIGNATURE);
              assertThat(e.getMessage())
                  .startsWith("Credential should be scoped to a valid region.")
                  .contains("'us-east-1'", "'eu-west-1'");
            });
    assertThat(lookedUp).containsExactly("AKIAUNKNOWN000000000");
  }

  @Test
  void refusesACredentialScopedToAnotherService() {
    SignedRequest ecsSigned = signedListClusters();

    assertThatThrownBy(
            () ->
                verifierAt(SIGNED_AT)
                    .verifyHeaders(ecsSigned, Scope.of("elasticloadbalancing", "us-east-1")))
        .isInstanceOfSatisfying(
            WharfException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SIGNATURE);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "Credential should be scoped to correct service: 'elasticloadbalancing'.");
            });
    assertThat(
            verifierAt(SIGNED_AT)
                .verifyHeaders(ecsSigned, ECS_SCOPE)
                .verifyPayload(LIST_CLUSTERS_BODY))
        .isEqualTo(new Caller(ACCESS_KEY, "us-east-1", "ecs"));
  }

  @Test
  void requiresTheHeadersTheApiReadsToBeSigned() {
    // Signed without X-Amz-Target, which is added afterwards: what an attacker who saw a signed
    // ListServices would do to make it a DeleteCluster, were the target not part of the signature.
    SdkHttpRequest withoutTarget = listClusters().toBuilder().removeHeader("X-Amz-Target").build();
    SignedRequest retargeted =
        withHeader(
            legacySdkSigned(withoutTarget, LIST_CLUSTERS_BODY),
            "x-amz-target",
            "AmazonEC2ContainerServiceV20141113.DeleteCluster");
    SdkHttpRequest withoutType = listClusters().toBuilder().removeHeader("Content-Type").build();
    SignedRequest retyped =
        withHeader(
            legacySdkSigned(withoutType, LIST_CLUSTERS_BODY),
            "content-type",
            "application/x-www-form-urlencoded");

    // Without the scope's rule the signature alone lets it through.
    assertThat(verifierAt(SIGNED_AT).verify(retargeted).accessKeyId()).isEqualTo(ACCESS_KEY);
    assertThatThrownBy(() -> verifierAt(SIGNED_AT).verifyHeaders(retargeted, ECS_SCOPE))
        .isInstanceOfSatisfying(
            WharfException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INCOMPLETE_SIGNATURE);
              assertThat(e.getMessage())
                  .isEqualTo("'x-amz-target' must be a 'SignedHeader' in the AWS Authorization.");
            });
    assertThatThrownBy(() -> verifierAt(SIGNED_AT).verifyHeaders(retyped, ECS_SCOPE))
        .hasMessage("'content-type' must be a 'SignedHeader' in the AWS Authorization.");
  }

  @Test
  void refusesAnUnsignedPayloadUnderAnApiScope() {
    SignedRequest unsignedPayload =
        sdkSigned(
            listClusters(),
            LIST_CLUSTERS_BODY,
            ACCESS_KEY,
            SECRET,
            o -> o.putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false));

    assertThatThrownBy(() -> verifierAt(SIGNED_AT).verifyHeaders(unsignedPayload, ECS_SCOPE))
        .isInstanceOfSatisfying(
            WharfException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INCOMPLETE_SIGNATURE);
              assertThat(e.getMessage()).contains("UNSIGNED-PAYLOAD", "not accepted");
            });
  }

  @Test
  void refusesAnS3StylePresignedUrlOverAnUnsignedPayloadUnderAnApiScope() {
    String query =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential="
            + ACCESS_KEY
            + "%2F20260314%2Fus-east-1%2Fecs%2Faws4_request"
            + "&X-Amz-Date=20260314T092653Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host";
    String canonical =
        String.join("\n", "GET", "/", query, "host:wharf.example", "", "host", "UNSIGNED-PAYLOAD");
    String signature =
        referenceSignature(
            SECRET, "20260314T092653Z", "20260314/us-east-1/ecs/aws4_request", canonical);
    SignedRequest request =
        new SignedRequest(
            "GET",
            "/",
            query + "&X-Amz-Signature=" + signature,
            Map.of("host", List.of("wharf.example")),
            null);
    SigV4Verifier verifier = verifierAt(SIGNED_AT);

    assertThat(verifier.verify(request).accessKeyId()).isEqualTo(ACCESS_KEY);
    assertThatThrownBy(() -> verifier.verifyHeaders(request, ECS_SCOPE).verifyPayload(null))
        .hasMessage(MISMATCH);
  }

  @Test
  void boundsAPresignedUrlsLifeAsAwsDoes() {
    SignedRequest request =
        sdkSigned(
            listClusters(),
            LIST_CLUSTERS_BODY,
            ACCESS_KEY,
            SECRET,
            o ->
                o.putProperty(AwsV4HttpSigner.AUTH_LOCATION, AuthLocation.QUERY_STRING)
                    .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(5)));

    assertRejected(
        verifierAt(SIGNED_AT.plus(Duration.ofMinutes(6))),
        request,
        ErrorCode.INVALID_SIGNATURE,
        "Request has expired.");
    assertRejected(
        verifierAt(SIGNED_AT),
        withQuery(request, request.rawQuery().replace("X-Amz-Expires=300", "X-Amz-Expires=604801")),
        ErrorCode.INCOMPLETE_SIGNATURE,
        "X-Amz-Expires must be less than a week (in seconds) that is 604800");
    assertRejected(
        verifierAt(SIGNED_AT),
        withQuery(request, request.rawQuery().replace("X-Amz-Expires=300", "X-Amz-Expires=0")),
        ErrorCode.INCOMPLETE_SIGNATURE,
        "X-Amz-Expires must be a number of seconds from 1 to 604800");
  }

  // --- Fixtures -------------------------------------------------------------------------------

  private static Optional<String> secretOf(String accessKeyId) {
    return Optional.ofNullable(SECRETS.get(accessKeyId));
  }

  private static SigV4Verifier verifierAt(Instant now) {
    return new SigV4Verifier(SigV4VerifierTest::secretOf, Clock.fixed(now, ZoneOffset.UTC), SKEW);
  }

  /** An ECS ListClusters call with the headers the AWS SDK for Java v2 sends. */
  private static SdkHttpRequest listClusters() {
    return SdkHttpRequest.builder()
        .method(SdkHttpMethod.POST)
        .protocol("https")
        .host(ECS_HOST)
        .encodedPath("/")
        .putHeader("Content-Type", "application/x-amz-json-1.1")
        .putHeader("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters")
        .putHeader("amz-sdk-invocation-id", "5f1c8a4e-3b0a-4c64-9d3c-2f0e6a0b7c11")
        .putHeader("amz-sdk-request", "attempt=1; max=3")
        .putHeader("Content-Length", String.valueOf(LIST_CLUSTERS_BODY.length))
        .putHeader("User-Agent", "aws-sdk-java/2.41.31 md/io#sync ua/2.1 api/ECS#2.41.31")
        .build();
  }

  /** ListClusters signed with exactly the headers the SDK's ECS client signs. */
  private static SignedRequest signedListClusters() {
    return legacySdkSigned(listClusters(), LIST_CLUSTERS_BODY);
  }

  /**
   * Signs with the SDK's older {@code Aws4Signer} at {@link #SIGNED_AT}, for ECS in us-east-1.
   * Unlike the standalone {@link AwsV4HttpSigner}, it adds no {@code x-amz-content-sha256} header,
   * so the signed headers are those the CLI and the SDK's service clients send.
   */
  @SuppressWarnings("deprecation") // Aws4Signer is deprecated in favour of AwsV4HttpSigner.
  private static SignedRequest legacySdkSigned(SdkHttpRequest unsigned, byte[] body) {
    SdkHttpFullRequest full =
        SdkHttpFullRequest.builder()
            .method(unsigned.method())
            .protocol(unsigned.protocol())
            .host(unsigned.host())
            .encodedPath(unsigned.encodedPath())
            .headers(unsigned.headers())
            .rawQueryParameters(unsigned.rawQueryParameters())
            .contentStreamProvider(ContentStreamProvider.fromByteArray(body))
            .build();
    SdkHttpFullRequest signed =
        software.amazon.awssdk.auth.signer.Aws4Signer.create()
            .sign(
                full,
                software.amazon.awssdk.auth.signer.params.Aws4SignerParams.builder()
                    .awsCredentials(AwsBasicCredentials.create(ACCESS_KEY, SECRET))
                    .signingName("ecs")
                    .signingRegion(Region.US_EAST_1)
                    .signingClockOverride(Clock.fixed(SIGNED_AT, ZoneOffset.UTC))
                    .build());
    return received(signed, body);
  }

  /** Signs with the AWS SDK's own signer at {@link #SIGNED_AT}, for ECS in us-east-1 by default. */
  private static SignedRequest sdkSigned(
      SdkHttpRequest unsigned,
      byte[] body,
      String accessKeyId,
      String secret,
      Consumer<SignRequest.Builder<AwsCredentialsIdentity>> options) {
    SdkHttpRequest signed =
        SDK_SIGNER
            .sign(
                (SignRequest.Builder<AwsCredentialsIdentity> r) -> {
                  r.identity(AwsCredentialsIdentity.create(accessKeyId, secret))
                      .request(unsigned)
                      .payload(ContentStreamProvider.fromByteArray(body))
                      .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                      .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ecs")
                      .putProperty(
                          HttpSigner.SIGNING_CLOCK, Clock.fixed(SIGNED_AT, ZoneOffset.UTC));
                  options.accept(r);
                })
            .request();
    return received(signed, body);
  }

  /** The request as Wharf's HTTP layer would hand it over. */
  private static SignedRequest received(SdkHttpRequest sent, byte[] body) {
    return new SignedRequest(
        sent.method().name(),
        sent.encodedPath(),
        sent.getUri().getRawQuery(),
        sent.headers(),
        body);
  }

  private static SignedRequest suiteRequest(
      String rawPath,
      String rawQuery,
      Map<String, List<String>> extraHeaders,
      String signedHeaders,
      String signature) {
    Map<String, List<String>> headers = new HashMap<>(extraHeaders);
    headers.put("Host", List.of("example.amazonaws.com"));
    headers.put("X-Amz-Date", List.of("20150830T123600Z"));
    headers.put(
        "Authorization",
        List.of(
            "AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=%s, Signature=%s"
                .formatted(SUITE_SCOPE, signedHeaders, signature)));
    return new SignedRequest("GET", rawPath, rawQuery, headers, null);
  }

  /**
   * An independent signer for hand-written canonical requests: the string to sign and the key
   * derivation spelled out as in the AWS documentation, sharing no code with the verifier.
   */
  private static String referenceSignature(
      String secret, String timestamp, String scope, String canonicalRequest) {
    String stringToSign =
        "AWS4-HMAC-SHA256\n"
            + timestamp
            + "\n"
            + scope
            + "\n"
            + sha256Hex(canonicalRequest.getBytes(UTF_8));
    String[] scopeParts = scope.split("/");
    byte[] key = ("AWS4" + secret).getBytes(UTF_8);
    for (String part : scopeParts) {
      key = hmacSha256(key, part);
    }
    return HexFormat.of().formatHex(hmacSha256(key, stringToSign));
  }

  private static byte[] hmacSha256(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(UTF_8));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String component(SignedRequest request, String name) {
    String authorization = request.headers().get("authorization").getFirst();
    int start = authorization.indexOf(name + "=") + name.length() + 1;
    int end = authorization.indexOf(',', start);
    return authorization.substring(start, end < 0 ? authorization.length() : end);
  }

  private static String signatureOf(SignedRequest request) {
    List<String> authorization = request.headers().get("authorization");
    if (authorization != null) {
      return component(request, "Signature");
    }
    String query = request.rawQuery();
    int start = query.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
    int end = query.indexOf('&', start);
    return query.substring(start, end < 0 ? query.length() : end);
  }

  private static void assertRejected(
      SigV4Verifier verifier, SignedRequest request, ErrorCode code, String message) {
    assertThatThrownBy(() -> verifier.verify(request))
        .isInstanceOfSatisfying(
            WharfException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.getMessage()).contains(message);
            });
  }

  private static SignedRequest withHeader(SignedRequest request, String name, String... values) {
    Map<String, List<String>> headers = new HashMap<>(request.headers());
    headers.put(name, List.of(values));
    return new SignedRequest(
        request.method(), request.rawPath(), request.rawQuery(), headers, request.body());
  }

  private static SignedRequest without(SignedRequest request, String name) {
    Map<String, List<String>> headers = new HashMap<>(request.headers());
    headers.remove(name);
    return new SignedRequest(
        request.method(), request.rawPath(), request.rawQuery(), headers, request.body());
  }

  private static SignedRequest withAuthorization(
      SignedRequest request, UnaryOperator<String> change) {
    String authorization = request.headers().get("authorization").getFirst();
    return withHeader(request, "authorization", change.apply(authorization));
  }

  private static SignedRequest withBody(SignedRequest request, byte[] body) {
    return new SignedRequest(
        request.method(), request.rawPath(), request.rawQuery(), request.headers(), body);
  }

  private static SignedRequest withQuery(SignedRequest request, String rawQuery) {
    return new SignedRequest(
        request.method(), request.rawPath(), rawQuery, request.headers(), request.body());
  }

  private static SignedRequest withPath(SignedRequest request, String rawPath) {
    return new SignedRequest(
        request.method(), rawPath, request.rawQuery(), request.headers(), request.body());
  }
}
