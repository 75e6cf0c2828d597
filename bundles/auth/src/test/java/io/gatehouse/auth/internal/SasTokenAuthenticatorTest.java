package io.gatehouse.auth.internal;

import static io.gatehouse.auth.internal.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.identity.AuthenticationResult;
import io.gatehouse.api.identity.IdentityId;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SasTokenAuthenticatorTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final long IN_AN_HOUR = NOW.getEpochSecond() + 3600;
    private static final String HUB = "gatehouse.local";
    private static final String GATEWAY = "edge-gw.plant.example";

    private static final IdentityId DEVICE = IdentityId.device("plc-7");
    private static final IdentityId MODULE = IdentityId.module("edge1", "filter");
    private static final IdentityId OTHER_DEVICE = IdentityId.device("plc-8");
    private static final String DEVICE_PRIMARY = key(1);
    private static final String DEVICE_SECONDARY = key(2);
    private static final String MODULE_PRIMARY = key(3);
    private static final String MODULE_SECONDARY = key(4);
    private static final String OTHER_PRIMARY = key(5);
    private static final String EDGE_DEVICE_PRIMARY = key(6);

    @TempDir
    Path directory;

    private FileIdentityRegistry registry;
    private SasTokenAuthenticator authenticator;
    private final List<String> secrets = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        registry = new FileIdentityRegistry(Configs.registry(directory));
        registry.add(DEVICE, DEVICE_PRIMARY, DEVICE_SECONDARY);
        registry.add(MODULE, MODULE_PRIMARY, MODULE_SECONDARY);
        registry.add(OTHER_DEVICE, OTHER_PRIMARY, null);
        registry.add(IdentityId.device("edge1"), EDGE_DEVICE_PRIMARY, null);
        authenticator = new SasTokenAuthenticator(registry, Configs.of(SasTokenAuthenticator.Config.class,
                Map.of("iotHubHostName", HUB, "gatewayHostName", GATEWAY)), Clock.fixed(NOW, ZoneOffset.UTC));
        registry.list().forEach(identity -> {
            secrets.add(identity.primaryKey());
            secrets.add(identity.secondaryKey());
        });
    }

    @Test
    void acceptsADeviceTokenSignedWithThePrimaryKey() {
        assertAccepted(DEVICE, SasTokenFactory.create(HUB, DEVICE, DEVICE_PRIMARY, IN_AN_HOUR));
    }

    @Test
    void acceptsAModuleToken() {
        assertAccepted(MODULE, SasTokenFactory.create(HUB, MODULE, MODULE_PRIMARY, IN_AN_HOUR));
    }

    @Test
    void acceptsTheSecondaryKey() {
        assertAccepted(DEVICE, SasTokenFactory.create(HUB, DEVICE, DEVICE_SECONDARY, IN_AN_HOUR));
        assertAccepted(MODULE, SasTokenFactory.create(HUB, MODULE, MODULE_SECONDARY, IN_AN_HOUR));
    }

    @Test
    void acceptsATokenThatExpiredWithinTheFiveMinuteClockSkew() {
        assertAccepted(DEVICE, SasTokenFactory.create(HUB, DEVICE, DEVICE_PRIMARY, NOW.getEpochSecond() - 299));
    }

    @Test
    void refusesATokenThatExpiredBeyondTheClockSkew() {
        long expiry = NOW.getEpochSecond() - 300;
        assertRefused(DEVICE, SasTokenFactory.create(HUB, DEVICE, DEVICE_PRIMARY, expiry),
                "expired at " + Instant.ofEpochSecond(expiry));
        assertRefused(DEVICE, SasTokenFactory.create(HUB, DEVICE, DEVICE_PRIMARY, NOW.getEpochSecond() - 86400),
                "expired at 2026-11-25T10:00:00Z");
    }

    @Test
    void refusesATokenSignedWithAnotherKey() {
        assertRefused(DEVICE, SasTokenFactory.create(HUB, DEVICE, OTHER_PRIMARY, IN_AN_HOUR),
                "signature of 'plc-7' matches neither its primary nor its secondary key");
    }

    @Test
    void refusesAnAudienceHostThatIsNeitherTheHubNorTheGateway() {
        assertRefused(DEVICE, SasTokenFactory.create("evil.example", DEVICE, DEVICE_PRIMARY, IN_AN_HOUR),
                "audience host 'evil.example' is not accepted", "'" + HUB + "'", "'" + GATEWAY + "'");
    }

    @Test
    void acceptsTheGatewayHostName() {
        assertAccepted(DEVICE, SasTokenFactory.create(GATEWAY, DEVICE, DEVICE_PRIMARY, IN_AN_HOUR));
    }

    @Test
    void acceptsTheIotHubHostNameIgnoringCase() {
        assertAccepted(DEVICE, SasTokenFactory.create("GateHouse.LOCAL", DEVICE, DEVICE_PRIMARY, IN_AN_HOUR));
        assertAccepted(MODULE, SasTokenFactory.create("EDGE-GW.plant.example", MODULE, MODULE_PRIMARY, IN_AN_HOUR));
    }

    @Test
    void followsAChangeOfHostNames() {
        String token = SasTokenFactory.create("gw2.example", DEVICE, DEVICE_PRIMARY, IN_AN_HOUR);
        assertRefused(DEVICE, token, "'gw2.example' is not accepted");
        authenticator.modified(Configs.of(SasTokenAuthenticator.Config.class, Map.of("gatewayHostName", "gw2.example")));
        assertAccepted(DEVICE, token);
    }

    @Test
    void comparesAudienceIdsIgnoringCaseAsIotHubDoes() {
        assertAccepted(DEVICE, SasTokenFactory.create(HUB, IdentityId.device("PLC-7"), DEVICE_PRIMARY, IN_AN_HOUR));
    }

    @Test
    void refusesATokenForAnotherDevice() {
        assertRefused(DEVICE, SasTokenFactory.create(HUB, OTHER_DEVICE, OTHER_PRIMARY, IN_AN_HOUR),
                "audience names identity 'plc-8', but the client claims to be 'plc-7'");
    }

    @Test
    void refusesADeviceTokenPresentedByAModule() {
        IdentityId edge = IdentityId.device("edge1");
        assertRefused(MODULE, SasTokenFactory.create(HUB, edge, EDGE_DEVICE_PRIMARY, IN_AN_HOUR),
                "audience names identity 'edge1', but the client claims to be 'edge1/filter'");
    }

    @Test
    void refusesAModuleTokenSignedWithItsDevicesKey() {
        assertRefused(MODULE, SasTokenFactory.create(HUB, MODULE, EDGE_DEVICE_PRIMARY, IN_AN_HOUR),
                "signature of 'edge1/filter' matches neither");
    }

    @Test
    void refusesAModuleTokenPresentedByItsDevice() {
        assertRefused(IdentityId.device("edge1"), SasTokenFactory.create(HUB, MODULE, MODULE_PRIMARY, IN_AN_HOUR),
                "audience names identity 'edge1/filter', but the client claims to be 'edge1'");
    }

    @Test
    void refusesAnUnknownIdentity() {
        IdentityId ghost = IdentityId.device("ghost");
        assertRefused(ghost, SasTokenFactory.create(HUB, ghost, DEVICE_PRIMARY, IN_AN_HOUR),
                "unknown identity 'ghost'");
    }

    @Test
    void refusesAnIdentityOnceItIsRemoved() {
        String token = SasTokenFactory.create(HUB, DEVICE, DEVICE_PRIMARY, IN_AN_HOUR);
        assertAccepted(DEVICE, token);
        registry.remove(DEVICE);
        assertRefused(DEVICE, token, "unknown identity 'plc-7'");
    }

    @Test
    void refusesAMissingClaim() {
        assertThat(authenticator.authenticateSas(null, SasTokenFactory.create(HUB, DEVICE, DEVICE_PRIMARY, IN_AN_HOUR))
                .failureReason()).isEqualTo("no identity claimed");
    }

    static List<Arguments> malformedTokens() {
        String sr = "sr=" + enc(HUB + "/devices/plc-7");
        String sig = "sig=" + enc(Base64.getEncoder().encodeToString(new byte[32]));
        String se = "se=" + IN_AN_HOUR;
        return List.of(
                Arguments.of(null, "no token (empty password)"),
                Arguments.of("", "no token (empty password)"),
                Arguments.of("SharedAccessSignature " + sig + "&" + se, "no 'sr' (audience) field"),
                Arguments.of("SharedAccessSignature " + sr + "&" + se, "no 'sig' (signature) field"),
                Arguments.of("SharedAccessSignature " + sr + "&" + sig, "no 'se' (expiry) field"),
                Arguments.of("SharedAccessSignature sr=&" + sig + "&" + se, "empty 'sr' (audience) field"),
                Arguments.of("SharedAccessSignature " + sr + "&" + sig + "&se=17649z", "'se' (expiry) is not a number"),
                Arguments.of("SharedAccessSignature " + sr + "&" + sig + "&se=-5", "'se' (expiry) is not a number"),
                Arguments.of("SharedAccessSignature " + sr + "&" + sig + "&se=99999999999999999999",
                        "'se' (expiry) is not a number"),
                Arguments.of("SharedAccessSignature " + sr + "&sig=not*base64!&" + se,
                        "'sig' (signature) is not URL-encoded base64"),
                Arguments.of("SharedAccessSignature " + sr + "&sig=" + enc(Base64.getEncoder().encodeToString(new byte[16]))
                        + "&" + se, "'sig' (signature) is 16 bytes"),
                Arguments.of("Bearer " + sr + "&" + sig + "&" + se, "does not start with 'SharedAccessSignature '"),
                Arguments.of("sharedaccesssignature " + sr + "&" + sig + "&" + se, "does not start with"),
                Arguments.of("\u0000\u00ff garbage \n", "does not start with"),
                Arguments.of("SharedAccessSignature garbage", "field 1 of the token is not name=value"),
                Arguments.of("SharedAccessSignature " + sr + "&" + sig + "&" + se + "&" + sr, "'sr' appears more than once"),
                Arguments.of("SharedAccessSignature sr=%zz&" + sig + "&" + se, "'sr' (audience) is not validly URL-encoded"),
                Arguments.of("SharedAccessSignature sr=" + enc(HUB + "/things/plc-7") + "&" + sig + "&" + se,
                        "audience ('sr') is not {host}/devices/{deviceId}[/modules/{moduleId}]"),
                Arguments.of("SharedAccessSignature sr=" + enc(HUB + "/devices/plc-7/modules") + "&" + sig + "&" + se,
                        "audience ('sr') is not"),
                Arguments.of("SharedAccessSignature sr=" + enc(HUB + "/devices/") + "&" + sig + "&" + se,
                        "audience ('sr') has an empty host, device id or module id"),
                Arguments.of("SharedAccessSignature " + sr + "&" + sig + "&" + se + "&pad=" + "x".repeat(5000),
                        "token is 5"),
                Arguments.of("x".repeat(1_000_000), "at most 4096 are accepted"));
    }

    @ParameterizedTest
    @MethodSource("malformedTokens")
    void refusesMalformedTokensNamingThePart(String token, String reason) {
        AuthenticationResult result = authenticator.authenticateSas(DEVICE, token);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.failureReason()).startsWith("malformed SAS token for 'plc-7': ").contains(reason);
        if (token != null && token.length() > 20) {
            assertThat(result.failureReason()).doesNotContain(token.substring(token.length() - 20));
        }
    }

    @Test
    void ignoresUnknownFieldsAndAcceptsFieldsInAnyOrder() {
        String token = SasTokenFactory.create(HUB, DEVICE, DEVICE_PRIMARY, IN_AN_HOUR);
        String[] fields = token.substring("SharedAccessSignature ".length()).split("&");
        String reordered = "SharedAccessSignature " + fields[2] + "&skn=ignored&" + fields[1] + "&future=1&" + fields[0];
        assertAccepted(DEVICE, reordered);
    }

    @Test
    void acceptsATokenMadeTheWayTheAzureJavaDeviceSdkMakesIt() throws Exception {
        IdentityId device = IdentityId.device("press:line(2)");
        String key = key(9);
        registry.add(device, key, null);
        String resource = URLEncoder.encode(HUB + "/devices/" + device.deviceId(), StandardCharsets.UTF_8);
        String signature = Base64.getEncoder().encodeToString(hmac(key, resource + "\n" + IN_AN_HOUR));
        String token = "SharedAccessSignature sr=" + resource + "&sig="
                + URLEncoder.encode(signature, StandardCharsets.UTF_8) + "&se=" + IN_AN_HOUR;

        assertThat(resource).contains("%2F", "%3A", "%28");
        assertAccepted(device, token);
    }

    @Test
    void acceptsAnAudienceEncodedWithLowerCaseHex() throws Exception {
        String resource = lowerHex(enc(SasTokenFactory.audience(HUB, MODULE)));
        assertThat(resource).contains("%2f").doesNotContain("%2F");
        assertAccepted(MODULE, token(resource, hmac(MODULE_PRIMARY, resource + "\n" + IN_AN_HOUR), IN_AN_HOUR));
    }

    @Test
    void acceptsASignatureOverTheLowerCaseFormWhenSrWasReEncodedUpperCase() throws Exception {
        String upper = enc(SasTokenFactory.audience(HUB, MODULE));
        byte[] signature = hmac(MODULE_PRIMARY, lowerHex(upper) + "\n" + IN_AN_HOUR);
        assertAccepted(MODULE, token(upper, signature, IN_AN_HOUR));
    }

    @Test
    void acceptsAnUnencodedSrSignedInItsEncodedForm() throws Exception {
        String audience = SasTokenFactory.audience(HUB, DEVICE);
        byte[] signature = hmac(DEVICE_PRIMARY, enc(audience) + "\n" + IN_AN_HOUR);
        assertAccepted(DEVICE, token(audience, signature, IN_AN_HOUR));
    }

    @Test
    void acceptsIdsWithPlusAndPercentEncodedTwice() {
        IdentityId device = IdentityId.device("a+b%c");
        String key = key(10);
        registry.add(device, key, null);
        String token = SasTokenFactory.create(HUB, device, key, IN_AN_HOUR);
        assertThat(token).contains("a%252Bb%2525c");
        assertAccepted(device, token);
    }

    @Test
    void acceptsAnUnencodedPlusInTheSignature() throws Exception {
        // Find an expiry whose signature has a '+', and send it without URL-encoding, as some clients do.
        String resource = enc(SasTokenFactory.audience(HUB, DEVICE));
        for (long expiry = IN_AN_HOUR; ; expiry++) {
            String signature = Base64.getEncoder().encodeToString(hmac(DEVICE_PRIMARY, resource + "\n" + expiry));
            if (signature.contains("+")) {
                assertAccepted(DEVICE, "SharedAccessSignature sr=" + resource + "&sig=" + signature + "&se=" + expiry);
                return;
            }
        }
    }

    @Test
    void refusesASignatureOverAnotherExpiry() throws Exception {
        String resource = enc(SasTokenFactory.audience(HUB, DEVICE));
        byte[] signature = hmac(DEVICE_PRIMARY, resource + "\n" + (IN_AN_HOUR - 1));
        assertRefused(DEVICE, token(resource, signature, IN_AN_HOUR), "matches neither");
    }

    @Test
    void failureReasonsNeverContainTheTokenSignatureOrKeys() {
        List<String> tokens = List.of(
                SasTokenFactory.create(HUB, DEVICE, OTHER_PRIMARY, IN_AN_HOUR),
                SasTokenFactory.create(HUB, DEVICE, DEVICE_PRIMARY, NOW.getEpochSecond() - 3600),
                SasTokenFactory.create("evil.example", DEVICE, DEVICE_PRIMARY, IN_AN_HOUR),
                SasTokenFactory.create(HUB, OTHER_DEVICE, OTHER_PRIMARY, IN_AN_HOUR));
        for (String token : tokens) {
            AuthenticationResult result = authenticator.authenticateSas(DEVICE, token);
            assertThat(result.succeeded()).isFalse();
            String sig = token.replaceAll(".*sig=([^&]*).*", "$1");
            String decodedSig = java.net.URLDecoder.decode(sig, StandardCharsets.UTF_8);
            assertThat(result.failureReason()).doesNotContain(token, sig, decodedSig, "sig=")
                    .doesNotContain(secrets);
            assertThat(result.toString()).doesNotContain(sig, decodedSig).doesNotContain(secrets);
        }
    }

    private void assertAccepted(IdentityId claimed, String token) {
        AuthenticationResult result = authenticator.authenticateSas(claimed, token);
        assertThat(result.failureReason()).isNull();
        assertThat(result.succeeded()).isTrue();
        assertThat(result.identity()).isEqualTo(claimed);
    }

    private void assertRefused(IdentityId claimed, String token, String... reasonParts) {
        AuthenticationResult result = authenticator.authenticateSas(claimed, token);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.identity()).isNull();
        assertThat(result.failureReason()).contains(reasonParts).doesNotContain(secrets);
    }

    private static String token(String resource, byte[] signature, long expiry) {
        return "SharedAccessSignature sr=" + resource + "&sig=" + enc(Base64.getEncoder().encodeToString(signature))
                + "&se=" + expiry;
    }

    private static byte[] hmac(String base64Key, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(base64Key), "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String lowerHex(String encoded) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            boolean inEscape = (i >= 1 && encoded.charAt(i - 1) == '%') || (i >= 2 && encoded.charAt(i - 2) == '%');
            out.append(inEscape ? Character.toLowerCase(c) : c);
        }
        return out.toString();
    }

}
