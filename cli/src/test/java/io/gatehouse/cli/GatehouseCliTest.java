package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a real HTTP server standing in for the gateway's management API. */
class GatehouseCliTest {

    /** What the fake gateway received; the path with its raw query. */
    record Received(String method, String path, String body) {
    }

    /** The CLI's now, so that "Up 5 minutes" is always five minutes. */
    private static final Instant NOW = Instant.parse("2026-11-26T15:10:00Z");

    private HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private int status = 200;
    private String answer = "{}";
    /** What the CLI reads as standard input. */
    private String stdin = "";
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    @BeforeEach
    void startGateway() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            synchronized (received) {
                String query = exchange.getRequestURI().getRawQuery();
                received.add(new Received(exchange.getRequestMethod(),
                        exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query),
                        new String(body, StandardCharsets.UTF_8)));
            }
            byte[] reply = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, reply.length == 0 ? -1 : reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopGateway() {
        server.stop(0);
    }

    private void gatewayAnswers(int status, String json) {
        this.status = status;
        this.answer = json.replace('\'', '"');
    }

    private int run(String... args) {
        Map<String, String> env = Map.of("GATEHOUSE_HTTP_PORT", String.valueOf(server.getAddress().getPort()));
        return new GatehouseCli(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, Clock.fixed(NOW, ZoneOffset.UTC)).run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Received only() {
        assertThat(received).hasSize(1);
        return received.get(0);
    }

    @Test
    void identityAddPostsTheIdsAndKeyAndPrintsTheConnectionString() {
        gatewayAnswers(201, "{'deviceId':'edge1','moduleId':'filter','connectionString':'HostName=h;DeviceId=edge1;"
                + "ModuleId=filter;SharedAccessKey=a2V5;GatewayHostName=g'}");

        int exit = run("identity", "add", "edge1", "--module", "filter", "--key", "a2V5");

        assertThat(exit).isEqualTo(0);
        assertThat(out()).isEqualTo("HostName=h;DeviceId=edge1;ModuleId=filter;SharedAccessKey=a2V5;GatewayHostName=g\n");
        assertThat(only()).isEqualTo(new Received("POST", "/api/identities",
                "{\"deviceId\":\"edge1\",\"moduleId\":\"filter\",\"primaryKey\":\"a2V5\"}"));
    }

    @Test
    void aRefusalExitsWith1AndPrintsTheGatewaysReason() {
        gatewayAnswers(409, "{'error':'identity press-7 already exists'}");

        assertThat(run("identity", "add", "press-7")).isEqualTo(1);

        assertThat(err()).isEqualTo("gatehouse: identity press-7 already exists\n");
        assertThat(out()).isEmpty();
        assertThat(only().body()).isEqualTo("{\"deviceId\":\"press-7\"}");
    }

    @Test
    void identityListPrintsATable() {
        gatewayAnswers(200, "[{'deviceId':'child1','moduleId':null,'edgeDevice':true},"
                + "{'deviceId':'edge1','moduleId':'filter','edgeDevice':false},"
                + "{'deviceId':'sensor-3','moduleId':null,'edgeDevice':false,'parentDeviceId':'child1'}]");

        assertThat(run("identity", "list")).isEqualTo(0);

        assertThat(out()).isEqualTo("DEVICE    MODULE  EDGE  PARENT  AUTH\n"
                + "child1    -       yes   -       -\n"
                + "edge1     filter  no    -       -\n"
                + "sensor-3  -       no    child1  -\n");
        assertThat(only()).isEqualTo(new Received("GET", "/api/identities", ""));
    }

    @Test
    void anOlderGatewaysListWithoutEdgeDevicesShowsDashes() {
        gatewayAnswers(200, "[{'deviceId':'press-7','moduleId':null}]");

        assertThat(run("identity", "list")).isEqualTo(0);

        assertThat(out()).isEqualTo("DEVICE   MODULE  EDGE  PARENT  AUTH\npress-7  -       -     -       -\n");
    }

    @Test
    void identityAddSendsTheEdgeFlagAndTheParent() {
        gatewayAnswers(201, "{'deviceId':'child1','moduleId':null,'edgeDevice':true,'connectionString':'HostName=h;"
                + "DeviceId=child1;SharedAccessKey=a2V5;GatewayHostName=g'}");
        assertThat(run("identity", "add", "child1", "--edge")).isEqualTo(0);
        assertThat(out()).isEqualTo("HostName=h;DeviceId=child1;SharedAccessKey=a2V5;GatewayHostName=g\n");

        gatewayAnswers(400, "{'error':'parent press-7 is not a registered edge device'}");
        assertThat(run("identity", "add", "sensor-3", "--parent", "press-7", "--key", "a2V5")).isEqualTo(1);
        assertThat(err()).isEqualTo("gatehouse: parent press-7 is not a registered edge device\n");

        assertThat(received).containsExactly(
                new Received("POST", "/api/identities", "{\"deviceId\":\"child1\",\"edgeDevice\":true}"),
                new Received("POST", "/api/identities",
                        "{\"deviceId\":\"sensor-3\",\"primaryKey\":\"a2V5\",\"parentDeviceId\":\"press-7\"}"));
    }

    private static final String SHA1 = "3A9FC2075E11D48B60AF239CB40E7D5218C6F19A";
    private static final String SHA256 = "5B0E8E1C4F7A2D9036B1C8E4F2A7D0193C6E5B8A4D2F1E0C9B7A6D5E4F3C2B1A";

    @Test
    void identityAddSendsTheThumbprintsNormalisedBesideTheKey() {
        gatewayAnswers(201, "{'deviceId':'cam-2','moduleId':null,'edgeDevice':false,'authentication':'selfSigned',"
                + "'x509Thumbprint':{'primaryThumbprint':'" + SHA1 + "','secondaryThumbprint':null},"
                + "'connectionString':'HostName=h;DeviceId=cam-2;SharedAccessKey=a2V5;GatewayHostName=g'}");
        String opensslSha1 = "sha1 Fingerprint=" + String.join(":", SHA1.toLowerCase().split("(?<=\\G..)"));
        assertThat(run("identity", "add", "cam-2", "--key", "a2V5", "--x509-thumbprint", opensslSha1)).isEqualTo(0);
        assertThat(out()).isEqualTo("HostName=h;DeviceId=cam-2;SharedAccessKey=a2V5;GatewayHostName=g\n");

        String colonSha256 = String.join(":", SHA256.split("(?<=\\G..)"));
        assertThat(run("identity", "add", "edge1", "--module", "cam", "--x509-thumbprint", SHA256.toLowerCase(),
                "--x509-secondary-thumbprint", colonSha256)).isEqualTo(0);

        assertThat(received).containsExactly(
                new Received("POST", "/api/identities", "{\"deviceId\":\"cam-2\",\"primaryKey\":\"a2V5\","
                        + "\"x509Thumbprint\":{\"primaryThumbprint\":\"" + SHA1 + "\"}}"),
                new Received("POST", "/api/identities", "{\"deviceId\":\"edge1\",\"moduleId\":\"cam\","
                        + "\"x509Thumbprint\":{\"primaryThumbprint\":\"" + SHA256 + "\",\"secondaryThumbprint\":\""
                        + SHA256 + "\"}}"));
    }

    @Test
    void aThumbprintTheGatewayRefusesExitsWith1WithItsReason() {
        gatewayAnswers(400, "{'error':'the X.509 primary thumbprint has 3 hex digits; a SHA-1 thumbprint has 40, "
                + "a SHA-256 one 64'}");

        assertThat(run("identity", "add", "cam-2", "--x509-thumbprint", "ab:c")).isEqualTo(1);

        assertThat(err()).isEqualTo("gatehouse: the X.509 primary thumbprint has 3 hex digits; a SHA-1 thumbprint has 40, "
                + "a SHA-256 one 64\n");
        assertThat(out()).isEmpty();
        assertThat(only().body()).isEqualTo("{\"deviceId\":\"cam-2\",\"x509Thumbprint\":{\"primaryThumbprint\":\"ABC\"}}");
    }

    @Test
    void identityListShowsHowEachIdentityAuthenticates() {
        gatewayAnswers(200, "[{'deviceId':'cam-2','moduleId':null,'edgeDevice':false,'authentication':'selfSigned',"
                + "'x509Thumbprint':{'primaryThumbprint':'" + SHA1 + "','secondaryThumbprint':null}},"
                + "{'deviceId':'child1','moduleId':null,'edgeDevice':true,'authentication':'sas'},"
                + "{'deviceId':'edge1','moduleId':'cam','edgeDevice':false,'authentication':'selfSigned',"
                + "'x509Thumbprint':{'primaryThumbprint':'" + SHA256 + "','secondaryThumbprint':'" + SHA1 + "'}},"
                + "{'deviceId':'sensor-3','moduleId':null,'edgeDevice':false,'parentDeviceId':'child1','authentication':'sas'}]");

        assertThat(run("identity", "list")).isEqualTo(0);

        assertThat(out()).isEqualTo("DEVICE    MODULE  EDGE  PARENT  AUTH\n"
                + "cam-2     -       no    -       sas+x509\n"
                + "child1    -       yes   -       sas\n"
                + "edge1     cam     no    -       sas+x509\n"
                + "sensor-3  -       no    child1  sas\n");
    }

    @Test
    void helpDescribesTheThumbprintOptionsAndTheAuthColumn() {
        assertThat(run("--help")).isEqualTo(0);
        assertThat(out()).contains("[--x509-thumbprint <hex> [--x509-secondary-thumbprint <hex>]]",
                "AB:CD:… as openssl", "(AUTH: sas, or sas+x509)");
    }

    @Test
    void identityShowAndRemoveNameTheIdentityInThePathEncoded() {
        gatewayAnswers(200, "{'deviceId':'line #1','moduleId':'f','connectionString':'HostName=h;DeviceId=line #1'}");
        assertThat(run("identity", "show", "line #1", "--module", "f")).isEqualTo(0);
        assertThat(out()).isEqualTo("HostName=h;DeviceId=line #1\n");

        gatewayAnswers(200, "{'deviceId':'line #1','moduleId':null,'removed':true}");
        assertThat(run("identity", "remove", "line #1")).isEqualTo(0);
        assertThat(out()).endsWith("removed line #1\n");

        assertThat(received).containsExactly(
                new Received("GET", "/api/identities/line%20%231/f", ""),
                new Received("DELETE", "/api/identities/line%20%231", ""));
    }

    @Test
    void deploySendsTheFileAsItIsAndPrintsTheAnswer() throws Exception {
        String manifest = "{\"modulesContent\": {\"$edgeHub\": {\"properties.desired\": {\"schemaVersion\": \"1.1\"}}}}\n";
        Path file = Files.writeString(dir.resolve("deployment.json"), manifest);
        gatewayAnswers(200, "{'status':200,'description':'$edgeHub desired properties applied'}");

        assertThat(run("deploy", file.toString())).isEqualTo(0);

        assertThat(out()).isEqualTo("$edgeHub desired properties applied\n");
        assertThat(only()).isEqualTo(new Received("POST", "/api/deployment", manifest));
    }

    @Test
    void deployWithADeviceNamesTheChildInTheQueryEncoded() throws Exception {
        String manifest = "{\"modulesContent\": {}}";
        Path file = Files.writeString(dir.resolve("deployment.json"), manifest);
        gatewayAnswers(200, "{'status':200,'description':'deployment for line 2 stored in its twins ($edgeAgent version 3)'}");

        assertThat(run("deploy", "--device", "line 2", file.toString())).isEqualTo(0);

        assertThat(out()).isEqualTo("deployment for line 2 stored in its twins ($edgeAgent version 3)\n");
        assertThat(only()).isEqualTo(new Received("POST", "/api/deployment?device=line%202", manifest));
    }

    @Test
    void aChildDeploymentTheGatewayRefusesExitsWith1WithTheDescription() throws Exception {
        Path file = Files.writeString(dir.resolve("deployment.json"), "{}");
        gatewayAnswers(404, "{'status':404,'description':'device child9 is not registered; nothing was changed'}");

        assertThat(run("deploy", "--device=child9", file.toString())).isEqualTo(1);

        assertThat(err()).isEqualTo("gatehouse: device child9 is not registered; nothing was changed\n");
        assertThat(out()).isEmpty();
    }

    @Test
    void c2dSendPostsTheMessageToTheDeviceAndPrintsItsId() {
        gatewayAnswers(202, "{'messageId':'m-1','deviceId':'press 7','queued':true}");

        int exit = run("c2d", "send", "press 7", "open \"valve\" 3", "--property", "urgency=high", "--property", "zone=b",
                "--message-id", "m-1", "--ttl", "600", "--content-type", "text/plain");

        assertThat(exit).isEqualTo(0);
        assertThat(out()).isEqualTo("m-1\n");
        assertThat(only()).isEqualTo(new Received("POST", "/api/devices/press%207/messages/devicebound",
                "{\"body\":\"open \\\"valve\\\" 3\",\"properties\":{\"urgency\":\"high\",\"zone\":\"b\"},"
                + "\"messageId\":\"m-1\",\"ttlSeconds\":600,\"contentType\":\"text/plain\"}"));
    }

    @Test
    void c2dSendReadsTheBodyFromAFileOrStandardInputAndLeavesTheRestToTheGateway() throws Exception {
        Path file = Files.writeString(dir.resolve("body.json"), "{\"valve\": 3}\n");
        gatewayAnswers(202, "{'messageId':'0f8fad5b-d9cb-469f-a165-70867728950e','deviceId':'press-7','queued':true}");
        assertThat(run("c2d", "send", "press-7", "--file", file.toString())).isEqualTo(0);
        stdin = "from stdin";
        assertThat(run("c2d", "send", "press-7", "--file", "-")).isEqualTo(0);

        assertThat(out()).isEqualTo("0f8fad5b-d9cb-469f-a165-70867728950e\n0f8fad5b-d9cb-469f-a165-70867728950e\n");
        assertThat(received).extracting(Received::body).containsExactly(
                "{\"body\":\"{\\\"valve\\\": 3}\\n\"}", "{\"body\":\"from stdin\"}");
    }

    @Test
    void aBodyFileThatIsMissingOrNotUtf8IsAUsageErrorAndSendsNothing() throws Exception {
        assertThat(run("c2d", "send", "press-7", "--file", dir.resolve("nope.txt").toString())).isEqualTo(2);
        assertThat(err()).contains("no such file");
        Path binary = Files.write(dir.resolve("body.bin"), new byte[] {(byte) 0xff, 0, 1});
        assertThat(run("c2d", "send", "press-7", "--file", binary.toString())).isEqualTo(2);
        assertThat(err()).contains("is not UTF-8 text");
        assertThat(received).isEmpty();
    }

    @Test
    void aFullQueueAnUnknownDeviceOrAStoreThatCannotWriteIsARefusalWithTheGatewaysReason() {
        gatewayAnswers(429, "{'error':'device press-7 already has 50 cloud-to-device messages waiting'}");
        assertThat(run("c2d", "send", "press-7", "x")).isEqualTo(1);
        gatewayAnswers(404, "{'error':'device press-8 is not registered'}");
        assertThat(run("c2d", "send", "press-8", "x")).isEqualTo(1);

        assertThat(err()).isEqualTo("gatehouse: device press-7 already has 50 cloud-to-device messages waiting\n"
                + "gatehouse: device press-8 is not registered\n");
        assertThat(out()).isEmpty();
    }

    @Test
    void aC2dAnswerWithoutAMessageIdIsReportedNotThrown() {
        gatewayAnswers(202, "{'queued':true}");
        assertThat(run("c2d", "send", "press-7", "x")).isEqualTo(1);
        assertThat(err()).contains("an answer this CLI does not understand", "expected the messageId");
    }

    @Test
    void aRefusedDeploymentExitsWith1WithTheDescription() throws Exception {
        Path file = Files.writeString(dir.resolve("deployment.json"), "{}");
        gatewayAnswers(400, "{'status':400,'description':'modulesContent is missing; nothing was changed'}");

        assertThat(run("deploy", file.toString())).isEqualTo(1);

        assertThat(err()).isEqualTo("gatehouse: modulesContent is missing; nothing was changed\n");
    }

    @Test
    void aMissingManifestFileIsAUsageErrorAndSendsNothing() {
        assertThat(run("deploy", dir.resolve("nope.json").toString())).isEqualTo(2);
        assertThat(err()).contains("no such manifest file");
        assertThat(received).isEmpty();
    }

    @Test
    void queuesPrintsLengthOldestBytesDropsAndDeadLettersWithTheDefaultPriorityNamedAndATotal() {
        gatewayAnswers(200, "[{'endpointId':'$upstream','priority':0,'pending':12,'appended':40,'delivered':28,'expired':3,"
                + "'oldestAgeMillis':192500,'oldestAge':'3m12s','bytesOnDisk':3145728,"
                + "'dropped':{'ttl_expiry':3,'quota':2,'corrupt':0},'deadLetters':1},"
                + "{'endpointId':'edge1/filter/in1','priority':2000000000,'pending':0,'appended':3,'delivered':3,'expired':0,"
                + "'oldestAgeMillis':null,'oldestAge':null,'bytesOnDisk':1536,"
                + "'dropped':{'ttl_expiry':0,'quota':0,'corrupt':1},'deadLetters':4}]");

        assertThat(run("queues")).isEqualTo(0);

        assertThat(out()).isEqualTo(
                "ENDPOINT          PRIORITY  LENGTH  OLDEST  BYTES   TTL  QUOTA  CORRUPT  DEAD\n"
                + "$upstream         0         12      3m12s   3.0MiB  3    2      0        1\n"
                + "edge1/filter/in1  default   0       -       1.5KiB  0    0      1        4\n"
                + "TOTAL                       12      3m12s   3.0MiB  3    2      1        5\n");
        assertThat(only()).isEqualTo(new Received("GET", "/api/queues", ""));
    }

    @Test
    void oneQueueHasNoTotalAndFiguresAnOlderGatewayDoesNotGiveAreDashes() {
        gatewayAnswers(200, "[{'endpointId':'$upstream','priority':0,'pending':2,'appended':4,'delivered':2,'expired':0}]");

        assertThat(run("queues")).isEqualTo(0);

        assertThat(out()).isEqualTo("ENDPOINT   PRIORITY  LENGTH  OLDEST  BYTES  TTL  QUOTA  CORRUPT  DEAD\n"
                + "$upstream  0         2       -       -      -    -      -        -\n");
    }

    @Test
    void deadLettersListsThemWithTheEndpointPercentEncodedInTheQuery() {
        gatewayAnswers(200, "{'endpointId':'$upstream','deadLetters':["
                + "{'sequence':7,'priority':0,'deadLetteredAt':'2024-05-01T12:00:00.123Z','reason':'message too large',"
                + "'size':11,'systemProperties':{},'properties':{},'bodyEncoding':'utf-8','body':'{\\'t\\':\\n21.5}'},"
                + "{'sequence':8,'priority':2000000000,'deadLetteredAt':'2024-05-01T12:03:00Z','reason':'bad',"
                + "'size':300000,'systemProperties':{},'properties':{},'bodyEncoding':'base64','body':'/wAB'}],"
                + "'more':false}");

        assertThat(run("deadletters", "$upstream")).isEqualTo(0);

        assertThat(out()).isEqualTo(
                "SEQUENCE  TIME                  PRIORITY  REASON             SIZE    BODY\n"
                + "7         2024-05-01T12:00:00Z  0         message too large  11B     {\"t\": 21.5}\n"
                + "8         2024-05-01T12:03:00Z  default   bad                293KiB  base64:/wAB\n");
        assertThat(only()).isEqualTo(new Received("GET", "/api/deadletters?endpoint=%24upstream", ""));
    }

    @Test
    void deadLettersPassesTheLimitCutsLongTextsAndSaysWhenThereAreMore() {
        String reason = "r".repeat(60);
        gatewayAnswers(200, "{'endpointId':'edge1/f/in','deadLetters':[{'sequence':1,'priority':3,"
                + "'deadLetteredAt':'2024-05-01T12:00:00Z','reason':'" + reason + "','size':45,'systemProperties':{},"
                + "'properties':{},'bodyEncoding':'utf-8','body':'" + "b".repeat(45) + "'}],'more':true}");

        assertThat(run("deadletters", "edge1/f/in", "--limit", "1")).isEqualTo(0);

        assertThat(out()).contains("r".repeat(50) + "…", "b".repeat(40) + "…")
                .doesNotContain("r".repeat(51), "b".repeat(41))
                .endsWith("\n(there are more: a larger --limit lists more, up to 1000)\n");
        assertThat(only()).isEqualTo(new Received("GET", "/api/deadletters?endpoint=edge1%2Ff%2Fin&limit=1", ""));
    }

    @Test
    void noDeadLettersIsSaid() {
        gatewayAnswers(200, "{'endpointId':'$upstream','deadLetters':[],'more':false}");
        assertThat(run("deadletters", "$upstream")).isEqualTo(0);
        assertThat(out()).isEqualTo("no dead letters for $upstream\n");
    }

    @Test
    void purgeDeletesAndRequeuePostsAndBothSayHowMany() {
        gatewayAnswers(200, "{'endpointId':'$upstream','purged':3}");
        assertThat(run("deadletters", "purge", "$upstream")).isEqualTo(0);
        gatewayAnswers(200, "{'endpointId':'edge1/f/in','requeued':1}");
        assertThat(run("deadletters", "requeue", "edge1/f/in")).isEqualTo(0);

        assertThat(out()).isEqualTo("purged 3 dead letters of $upstream\nrequeued 1 dead letter to edge1/f/in\n");
        assertThat(received).containsExactly(
                new Received("DELETE", "/api/deadletters?endpoint=%24upstream", ""),
                new Received("POST", "/api/deadletters/requeue?endpoint=edge1%2Ff%2Fin", ""));
    }

    @Test
    void aStoreThatCannotRequeueIsARefusalWithItsReason() {
        gatewayAnswers(507, "{'error':'the store could not requeue the dead letters of $upstream: no space left on device'}");

        assertThat(run("deadletters", "requeue", "$upstream")).isEqualTo(1);

        assertThat(err()).isEqualTo("gatehouse: the store could not requeue the dead letters of $upstream: "
                + "no space left on device\n");
        assertThat(out()).isEmpty();
    }

    @Test
    void deadLetterAnswersThatAreNotTheExpectedJsonAreReportedNotThrown() {
        gatewayAnswers(200, "[]");
        assertThat(run("deadletters", "$upstream")).isEqualTo(1);
        gatewayAnswers(200, "{'purged':'many'}");
        assertThat(run("deadletters", "purge", "$upstream")).isEqualTo(1);
        assertThat(err()).contains("expected deadLetters", "expected a whole number, not many");
    }

    @Test
    void anEmptyEndpointIsAUsageErrorThatExplainsQuotingAndSendsNothing() {
        assertThat(run("deadletters", "")).isEqualTo(2);
        assertThat(err()).contains("the endpoint id is empty; quote ids with $ in single quotes: '$upstream'");
        assertThat(received).isEmpty();
    }

    @Test
    void healthUpExitsWith0() {
        gatewayAnswers(200, "{'status':'UP','bundles':{'total':20,'notActive':[]},'components':{'total':14,"
                + "'notSatisfied':[],'waitingForConfiguration':['x'],'disabled':[]}}");

        assertThat(run("health")).isEqualTo(0);

        assertThat(out()).isEqualTo("UP\n  waiting for configuration (not a fault): x\n  20 bundles, 14 components\n");
    }

    @Test
    void healthDownExitsWith1AndSaysWhatIsWrong() {
        gatewayAnswers(503, "{'status':'DOWN','bundles':{'total':20,'notActive':[{'id':7,'symbolicName':'io.gatehouse.router',"
                + "'state':'RESOLVED','expected':'ACTIVE'}]},'components':{'total':14,'notSatisfied':[{'name':'Dispatcher',"
                + "'bundle':'io.gatehouse.router','state':'UNSATISFIED_REFERENCE','unsatisfiedReferences':[{'name':'store',"
                + "'interface':'io.gatehouse.api.store.MessageStore'}]}],'waitingForConfiguration':[],'disabled':[]}}");

        assertThat(run("health")).isEqualTo(1);

        assertThat(err()).isEqualTo("DOWN\n"
                + "  bundle io.gatehouse.router is RESOLVED (expected ACTIVE)\n"
                + "  component Dispatcher (io.gatehouse.router) is UNSATISFIED_REFERENCE; missing store "
                + "(io.gatehouse.api.store.MessageStore)\n"
                + "  20 bundles, 14 components\n");
    }

    @Test
    void anAnswerThatIsNotJsonIsStillARefusalWithTheStatus() {
        gatewayAnswers(404, "<html>Not Found</html>");

        assertThat(run("queues")).isEqualTo(1);

        assertThat(err()).contains("HTTP 404", "management bundle");
    }

    @Test
    void aSuccessThatIsNotTheExpectedJsonIsReportedNotThrown() {
        gatewayAnswers(200, "<html>hello</html>");

        assertThat(run("identity", "list")).isEqualTo(1);

        assertThat(err()).contains("does not understand");
    }

    @Test
    void aServiceThatIsAwayIsARefusalWithItsReason() {
        gatewayAnswers(503, "{'error':'the message store is not available'}");
        assertThat(run("queues")).isEqualTo(1);
        assertThat(err()).isEqualTo("gatehouse: the message store is not available\n");
    }

    @Test
    void anUnreachableGatewayExitsWith3AndNamesTheUrl() {
        int port = server.getAddress().getPort();
        server.stop(0);

        assertThat(run("health")).isEqualTo(3);

        assertThat(err()).contains("cannot reach the gateway at http://127.0.0.1:" + port + " (connection refused)");
    }

    @Test
    void usageErrorsExitWith2PrintTheUsageAndSendNothing() {
        assertThat(run("identity", "add")).isEqualTo(2);
        assertThat(err()).contains("identity add needs one device id", "usage: gatehouse");
        assertThat(received).isEmpty();
    }

    @Test
    void helpPrintsTheUsageAndExitsWith0() {
        assertThat(run("--help")).isEqualTo(0);
        assertThat(out()).startsWith("usage: gatehouse");
    }

    @Test
    void urlOverridesThePortVariable() {
        gatewayAnswers(200, "[]");
        int exit = new GatehouseCli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), Map.of("GATEHOUSE_HTTP_PORT", "1"))
                .run(new String[] {"--url", "http://127.0.0.1:" + server.getAddress().getPort(), "queues"});
        assertThat(exit).isEqualTo(0);
        assertThat(out()).isEqualTo("no queues\n");
    }

    @Test
    void routeTestPostsTheRouteAndTheMessageFileAndPrintsWhyTheRouteFires() throws Exception {
        String message = "{\"systemProperties\": {\"connectionDeviceId\": \"edge1\", \"connectionModuleId\": \"sensor\","
                + " \"outputName\": \"out1\"},\n \"properties\": {\"temperature\": \"21.5\"}, \"body\": {\"t\": 21.5}}\n";
        Path file = Files.writeString(dir.resolve("message.json"), message);
        gatewayAnswers(200, "{'result':'true','sourceMatches':true,'condition':'true','sink':'edge1/filter/input1'}");
        String route = "FROM /messages/modules/sensor/* WHERE temperature > 20 INTO BrokeredEndpoint(\"/modules/filter/inputs/input1\")";

        int exit = run("route", "test", route, "--message", file.toString());

        assertThat(exit).isEqualTo(0);
        assertThat(out()).isEqualTo("true  (source matches; condition true) -> sink edge1/filter/input1\n");
        assertThat(only()).isEqualTo(new Received("POST", "/api/routes/test", "{\"route\":\"FROM /messages/modules/sensor/* "
                + "WHERE temperature > 20 INTO BrokeredEndpoint(\\\"/modules/filter/inputs/input1\\\")\",\"message\":"
                + message.strip() + "}"));
    }

    @Test
    void routeTestWithoutAMessageSendsOnlyTheRouteAndARouteThatDoesNotFireStillExitsWith0() {
        gatewayAnswers(200, "{'result':'false','sourceMatches':false,'condition':'undefined','sink':'$upstream'}");

        assertThat(run("route", "test", "FROM /twinChangeNotifications INTO $upstream")).isEqualTo(0);

        assertThat(out()).isEqualTo("false  (source does not match; condition undefined); not sent to $upstream\n");
        assertThat(only().body()).isEqualTo("{\"route\":\"FROM /twinChangeNotifications INTO $upstream\"}");
    }

    @Test
    void aRouteThatDoesNotCompileExitsWith1AndPrintsTheCompilersReason() {
        gatewayAnswers(400, "{'error':'line 1, column 29: expected INTO'}");

        assertThat(run("route", "test", "FROM /messages/* WHERE a = 1")).isEqualTo(1);

        assertThat(err()).isEqualTo("gatehouse: line 1, column 29: expected INTO\n");
        assertThat(out()).isEmpty();
    }

    @Test
    void aMessageFileThatIsMissingOrNotAJsonObjectIsAUsageErrorAndSendsNothing() throws Exception {
        assertThat(run("route", "test", "FROM /messages/* INTO $upstream", "--message", dir.resolve("nope.json").toString()))
                .isEqualTo(2);
        assertThat(err()).contains("no such message file");

        Path array = Files.writeString(dir.resolve("array.json"), "[1]");
        assertThat(run("route", "test", "FROM /messages/* INTO $upstream", "--message", array.toString())).isEqualTo(2);
        assertThat(err()).contains("must hold a JSON object");

        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"body\": ");
        assertThat(run("route", "test", "FROM /messages/* INTO $upstream", "--message=" + broken)).isEqualTo(2);
        assertThat(err()).contains("broken.json is not JSON: unexpected end");

        assertThat(received).isEmpty();
    }

    @Test
    void routeTestWhenTheRouterIsAwayIsARefusalWithTheReason() {
        gatewayAnswers(503, "{'error':'the route tester is not available: it comes from the io.gatehouse.router bundle'}");

        assertThat(run("route", "test", "FROM /messages/* INTO $upstream")).isEqualTo(1);

        assertThat(err()).contains("route tester is not available");
    }

    @Test
    void routeStatsPrintsTheDroppedCountsUnderTheirMetricName() {
        gatewayAnswers(200, "{'messagesDropped':{'no_route':12,'ttl_expired':3}}");

        assertThat(run("route", "stats")).isEqualTo(0);

        assertThat(out()).isEqualTo("edgehub_messages_dropped_total{reason=\"no_route\"} 12\n"
                + "edgehub_messages_dropped_total{reason=\"ttl_expired\"} 3\n");
        assertThat(only()).isEqualTo(new Received("GET", "/api/routes/stats", ""));
    }

    @Test
    void routeStatsWithNothingDroppedSaysSo() {
        gatewayAnswers(200, "{'messagesDropped':{}}");
        assertThat(run("route", "stats")).isEqualTo(0);
        assertThat(out()).isEqualTo("no messages dropped\n");
    }

    @Test
    void routeAnswersThatAreNotTheExpectedJsonAreReportedNotThrown() {
        gatewayAnswers(200, "{'result':'true'}");
        assertThat(run("route", "test", "FROM /messages/* INTO $upstream")).isEqualTo(1);
        gatewayAnswers(200, "[]");
        assertThat(run("route", "stats")).isEqualTo(1);
        assertThat(err()).contains("expected result, sourceMatches, condition and sink", "expected messagesDropped");
    }

    private static final String SYSTEM_MODULES = "'systemModules':{"
            + "'edgeAgent':{'type':'gatehouse','runtimeStatus':'running','lastStartTimeUtc':'2026-11-26T13:05:00Z'},"
            + "'edgeHub':{'type':'gatehouse','runtimeStatus':'running','lastStartTimeUtc':'2026-11-26T13:05:00Z',"
            + "'status':'running'}}";

    @Test
    void listPrintsTheSystemModulesFirstThenTheModulesByNameWithHowLongUpOrWhyNot() {
        gatewayAnswers(200, "{'schemaVersion':'1.0','version':{'version':'0.1.0'},'lastDesiredVersion':'3',"
                + "'lastDesiredStatus':{'code':200,'description':''}," + SYSTEM_MODULES + ",'modules':{"
                + "'sensor':{'type':'process','status':'running','version':'1.0','runtimeStatus':'running',"
                + "'statusDescription':'running as pid 42','lastStartTimeUtc':'2026-11-26T15:05:00.123Z','restartCount':0,"
                + "'settings':{'path':'bin/sensor'}},"
                + "'filter':{'type':'process','status':'running','version':'2.1','runtimeStatus':'failed',"
                + "'statusDescription':'cannot open /dev/ttyS0','exitCode':3,'lastStartTimeUtc':'2026-11-26T15:07:00Z',"
                + "'lastExitTimeUtc':'2026-11-26T15:07:30Z','restartCount':2},"
                + "'logger':{'type':'process','status':'running','version':'1.0','runtimeStatus':'backoff',"
                + "'statusDescription':'exited with code 1; next start in 20 s','exitCode':1,"
                + "'lastExitTimeUtc':'2026-11-26T15:09:50Z','restartCount':5},"
                + "'archiver':{'type':'process','status':'stopped','version':'1.0','runtimeStatus':'stopped',"
                + "'statusDescription':'stopped as desired','restartCount':0}},"
                + "'deployments':{'history':[{'version':'3','outcome':'good'}]}}");

        assertThat(run("list")).isEqualTo(0);

        assertThat(out()).isEqualTo(
                "NAME       STATUS   DESCRIPTION                                       VERSION  RESTARTS\n"
                + "edgeAgent  running  Up 2 hours                                        0.1.0    -\n"
                + "edgeHub    running  Up 2 hours                                        0.1.0    -\n"
                + "archiver   stopped  Stopped                                           1.0      0\n"
                + "filter     failed   Failed (3) 2 minutes ago: cannot open /dev/ttyS0  2.1      2\n"
                + "logger     backoff  Backoff: exited with code 1; next start in 20 s   1.0      5\n"
                + "sensor     running  Up 4 minutes                                      1.0      0\n");
        assertThat(err()).isEmpty();
        assertThat(only()).isEqualTo(new Received("GET", "/api/agent", ""));
    }

    @Test
    void listSaysWhenTheLastDeploymentWasNotAppliedAndTheLastRollback() {
        gatewayAnswers(200, "{'lastDesiredVersion':'4','lastDesiredStatus':{'code':400,"
                + "'description':'module filter: settings.path is missing'}," + SYSTEM_MODULES + ",'modules':{},"
                + "'deployments':{'history':[],'lastRollback':{'fromVersion':'3','atUtc':'2026-11-26T15:00:00.250Z',"
                + "'reason':'module filter failed with exit code 3','toVersion':'2'}}}");

        assertThat(run("list")).isEqualTo(0);

        assertThat(out()).isEqualTo(
                "NAME       STATUS   DESCRIPTION  VERSION  RESTARTS\n"
                + "edgeAgent  running  Up 2 hours   -        -\n"
                + "edgeHub    running  Up 2 hours   -        -\n"
                + "deployment 4: 400 module filter: settings.path is missing\n"
                + "rolled back from 3 to 2 at 2026-11-26T15:00:00Z: module filter failed with exit code 3\n");
    }

    @Test
    void listWhenTheAgentIsNotActiveIsARefusalWithItsReason() {
        gatewayAnswers(503, "{'error':'the edge agent is not active'}");

        assertThat(run("list")).isEqualTo(1);

        assertThat(err()).isEqualTo("gatehouse: the edge agent is not active\n");
        assertThat(out()).isEmpty();
    }

    @Test
    void listAnswersThatAreNotTheAgentsReportAreReportedNotThrown() {
        gatewayAnswers(200, "{'schemaVersion':'1.0'}");

        assertThat(run("list")).isEqualTo(1);

        assertThat(err()).contains("does not understand", "expected systemModules and modules");
        assertThat(out()).isEmpty();
    }

    @Test
    void theDescriptionSaysWhatTheRuntimeKnowsAndOnlyWhatItKnows() {
        Instant now = NOW;
        assertThat(GatehouseCli.moduleDescription(Map.of("runtimeStatus", "running"), now)).isEqualTo("Up");
        assertThat(GatehouseCli.moduleDescription(Map.of("runtimeStatus", "running",
                "lastStartTimeUtc", "2026-11-26T15:09:59.500Z"), now)).isEqualTo("Up less than a second");
        assertThat(GatehouseCli.moduleDescription(Map.of("runtimeStatus", "running",
                "lastStartTimeUtc", "2026-11-23T09:00:00Z"), now)).isEqualTo("Up 3 days");
        // The code alone when the runtime's description only repeats it.
        assertThat(GatehouseCli.moduleDescription(Map.of("runtimeStatus", "failed", "exitCode", new java.math.BigDecimal(3),
                "statusDescription", "exited with code 3", "lastExitTimeUtc", "2026-11-26T14:10:00Z"), now))
                .isEqualTo("Failed (3) 1 hour ago");
        assertThat(GatehouseCli.moduleDescription(Map.of("runtimeStatus", "failed",
                "statusDescription", "executable not found:\nbin/sensor"), now))
                .isEqualTo("Failed: executable not found: bin/sensor");
        assertThat(GatehouseCli.moduleDescription(Map.of("runtimeStatus", "backoff"), now)).isEqualTo("Backoff");
        assertThat(GatehouseCli.moduleDescription(Map.of("statusDescription", "no runtime for type docker"), now))
                .isEqualTo("Unknown: no runtime for type docker");
        assertThat(GatehouseCli.moduleDescription(Map.of("runtimeStatus", "failed", "statusDescription", "x".repeat(70)), now))
                .isEqualTo("Failed: " + "x".repeat(60) + "…");
    }

    @Test
    void logsAsksForTheTailOfTheModuleNamedInThePathAndPrintsOneLineEach() {
        gatewayAnswers(200, "{'module':'line #1','lines':['started','reading /dev/ttyS0','  indented']}");

        assertThat(run("logs", "line #1", "--tail", "3")).isEqualTo(0);

        assertThat(out()).isEqualTo("started\nreading /dev/ttyS0\n  indented\n");
        assertThat(only()).isEqualTo(new Received("GET", "/api/agent/modules/line%20%231/logs?tail=3", ""));
    }

    @Test
    void logsWithoutATailLeavesItToTheGatewayAndNoLinesPrintNothing() {
        gatewayAnswers(200, "{'module':'sensor','lines':[]}");

        assertThat(run("logs", "sensor")).isEqualTo(0);

        assertThat(out()).isEmpty();
        assertThat(only()).isEqualTo(new Received("GET", "/api/agent/modules/sensor/logs", ""));
    }

    @Test
    void logsOfAModuleThatIsNotDeployedIsARefusalWithTheGatewaysReason() {
        gatewayAnswers(404, "{'error':'no module \\'nope\\' is deployed'}");

        assertThat(run("logs", "nope")).isEqualTo(1);

        assertThat(err()).isEqualTo("gatehouse: no module \"nope\" is deployed\n");
        assertThat(out()).isEmpty();
    }

    @Test
    void aBadTailIsAUsageErrorAndSendsNothing() {
        assertThat(run("logs", "sensor", "--tail", "0")).isEqualTo(2);

        assertThat(err()).contains("--tail 0 is not a number of lines (1 to 10000)", "usage: gatehouse");
        assertThat(received).isEmpty();
    }

    @Test
    void restartPostsNothingToTheModulesRestartAndSaysSo() {
        gatewayAnswers(200, "{'module':'sensor','status':'restarted'}");

        assertThat(run("restart", "sensor")).isEqualTo(0);

        assertThat(out()).isEqualTo("restarted sensor\n");
        assertThat(only()).isEqualTo(new Received("POST", "/api/agent/modules/sensor/restart", ""));
    }

    @Test
    void aRestartTheRuntimeCannotDoIsARefusalWithItsReason() {
        gatewayAnswers(502, "{'error':'the module could not be restarted: executable not found'}");

        assertThat(run("restart", "sensor")).isEqualTo(1);

        assertThat(err()).isEqualTo("gatehouse: the module could not be restarted: executable not found\n");
        assertThat(out()).isEmpty();
    }

    private static final String TWIN = "{'deviceId':'edge1','moduleId':'filter','properties':{'desired':{'threshold':7,"
            + "'limits':[1.50,'a\\\"b'],'off':false,'$version':2},'reported':{'$version':1,'note':null,'empty':{}}}}";

    private static final String TWIN_PRINTED = String.join("\n",
            "{",
            "  \"deviceId\": \"edge1\",",
            "  \"moduleId\": \"filter\",",
            "  \"properties\": {",
            "    \"desired\": {",
            "      \"threshold\": 7,",
            "      \"limits\": [",
            "        1.50,",
            "        \"a\\\"b\"",
            "      ],",
            "      \"off\": false,",
            "      \"$version\": 2",
            "    },",
            "    \"reported\": {",
            "      \"$version\": 1,",
            "      \"note\": null,",
            "      \"empty\": {}",
            "    }",
            "  }",
            "}") + "\n";

    @Test
    void twinGetPrintsTheWholeTwinPrettyWithTheIdsPercentEncodedInThePath() {
        gatewayAnswers(200, TWIN);

        assertThat(run("twin", "get", "line #1", "--module", "f/x")).isEqualTo(0);
        assertThat(run("twin", "get", "edge1")).isEqualTo(0);

        assertThat(out()).isEqualTo(TWIN_PRINTED + TWIN_PRINTED);
        assertThat(received).containsExactly(
                new Received("GET", "/api/twins/line%20%231/modules/f%2Fx", ""),
                new Received("GET", "/api/twins/edge1", ""));
    }

    @Test
    void twinSetPatchesTheDesiredPropertiesWithTheFilesObjectAndPrintsTheTwin() throws Exception {
        Path file = Files.writeString(dir.resolve("patch.json"), "{\"threshold\": 9,\n \"old\": null}\n");
        gatewayAnswers(200, TWIN);

        int exit = run("twin", "set", "edge1", "--module=filter", file.toString());

        assertThat(exit).isEqualTo(0);
        assertThat(out()).isEqualTo(TWIN_PRINTED);
        assertThat(only()).isEqualTo(new Received("PATCH", "/api/twins/edge1/modules/filter",
                "{\"properties\":{\"desired\":{\"threshold\": 9,\n \"old\": null}}}"));
    }

    @Test
    void twinSetWithADashReadsThePatchFromStandardInput() {
        stdin = "  {\"mode\": \"fast\"}\n";
        gatewayAnswers(200, TWIN);

        assertThat(run("twin", "set", "press 7", "-")).isEqualTo(0);

        assertThat(out()).isEqualTo(TWIN_PRINTED);
        assertThat(only()).isEqualTo(new Received("PATCH", "/api/twins/press%207",
                "{\"properties\":{\"desired\":{\"mode\": \"fast\"}}}"));
    }

    @Test
    void aPatchThatIsMissingOrNotAJsonObjectIsAUsageErrorThatNamesItAndSendsNothing() throws Exception {
        Path missing = dir.resolve("nope.json");
        assertThat(run("twin", "set", "edge1", missing.toString())).isEqualTo(2);
        assertThat(err()).contains("no such patch file: " + missing);

        Path array = Files.writeString(dir.resolve("array.json"), "[1]");
        assertThat(run("twin", "set", "edge1", array.toString())).isEqualTo(2);
        assertThat(err()).contains("patch file " + array + " must hold a JSON object of desired properties");

        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"threshold\": ");
        assertThat(run("twin", "set", "edge1", "--module", "filter", broken.toString())).isEqualTo(2);
        assertThat(err()).contains("patch file " + broken + " is not JSON: unexpected end");

        assertThat(run("twin", "set", "edge1", dir.toString())).isEqualTo(2);
        assertThat(err()).contains("cannot read patch file " + dir);

        stdin = "";
        assertThat(run("twin", "set", "edge1", "-")).isEqualTo(2);
        assertThat(err()).contains("standard input is not JSON: unexpected end");

        assertThat(out()).isEmpty();
        assertThat(received).isEmpty();
    }

    @Test
    void aRefusedPatchOrAnUnknownTwinIsARefusalWithTheGatewaysReason() throws Exception {
        Path file = Files.writeString(dir.resolve("patch.json"), "{\"$threshold\": 9}");
        gatewayAnswers(400, "{'error':'desired properties refused: property names may not start with $'}");
        assertThat(run("twin", "set", "edge1", file.toString())).isEqualTo(1);
        assertThat(err()).isEqualTo("gatehouse: desired properties refused: property names may not start with $\n");

        gatewayAnswers(404, "{'error':'no identity edge1/nope'}");
        assertThat(run("twin", "get", "edge1", "--module", "nope")).isEqualTo(1);
        gatewayAnswers(503, "{'error':'the twin store is not available'}");
        assertThat(run("twin", "get", "edge1")).isEqualTo(1);

        assertThat(err()).endsWith("gatehouse: no identity edge1/nope\ngatehouse: the twin store is not available\n");
        assertThat(out()).isEmpty();
        assertThat(received).extracting(Received::method).containsExactly("PATCH", "GET", "GET");
    }

    @Test
    void twinAnswersThatAreNotATwinAreReportedNotThrown() {
        gatewayAnswers(200, "{'deviceId':'edge1'}");
        assertThat(run("twin", "get", "edge1")).isEqualTo(1);
        gatewayAnswers(200, "<html>hello</html>");
        assertThat(run("twin", "get", "edge1")).isEqualTo(1);
        assertThat(err()).contains("expected a twin with properties", "does not understand");
        assertThat(out()).isEmpty();
    }

    @Test
    void methodInvokePostsTheCallToTheModulesMethodsAndPrintsTheStatusThenThePayloadPretty() {
        gatewayAnswers(200, "{'status':200,'payload':{'restarted':'filter','after':[1.50,null]}}");

        int exit = run("method", "invoke", "edge1", "--module", "$edgeAgent", "RestartModule",
                "--payload", "{\"id\": \"filter\"}", "--timeout", "60", "--connect-timeout=10");

        assertThat(exit).isEqualTo(0);
        assertThat(out()).isEqualTo(String.join("\n",
                "status 200",
                "{",
                "  \"restarted\": \"filter\",",
                "  \"after\": [",
                "    1.50,",
                "    null",
                "  ]",
                "}") + "\n");
        assertThat(err()).isEmpty();
        assertThat(only()).isEqualTo(new Received("POST", "/api/twins/edge1/modules/%24edgeAgent/methods",
                "{\"methodName\":\"RestartModule\",\"payload\":{\"id\":\"filter\"},\"responseTimeoutInSeconds\":60,"
                        + "\"connectTimeoutInSeconds\":10}"));
    }

    @Test
    void methodInvokeWithoutPayloadOrTimeoutsSendsOnlyTheNameAndANullPayloadPrintsOnlyTheStatus() {
        gatewayAnswers(200, "{'status':204,'payload':null}");

        assertThat(run("method", "invoke", "press #7", "reboot now")).isEqualTo(0);

        assertThat(out()).isEqualTo("status 204\n");
        assertThat(only()).isEqualTo(new Received("POST", "/api/twins/press%20%237/methods",
                "{\"methodName\":\"reboot now\"}"));
    }

    @Test
    void aStatusFromTheTargetThatIsNot2xxIsPrintedWithItsPayloadAndExitsWith1() {
        gatewayAnswers(200, "{'status':404,'payload':{'message':'no module nope'}}");
        assertThat(run("method", "invoke", "edge1", "--module", "$edgeAgent", "RestartModule",
                "--payload", "{\"id\": \"nope\"}")).isEqualTo(1);
        assertThat(out()).isEqualTo("status 404\n{\n  \"message\": \"no module nope\"\n}\n");

        gatewayAnswers(200, "{'status':199,'payload':'early'}");
        assertThat(run("method", "invoke", "edge1", "m")).isEqualTo(1);
        gatewayAnswers(200, "{'status':299,'payload':'fine'}");
        assertThat(run("method", "invoke", "edge1", "m")).isEqualTo(0);
        gatewayAnswers(200, "{'status':500}");
        assertThat(run("method", "invoke", "edge1", "m")).isEqualTo(1);

        assertThat(out()).endsWith("status 199\n\"early\"\nstatus 299\n\"fine\"\nstatus 500\n");
        assertThat(err()).isEmpty();
    }

    @Test
    void thePayloadMayComeFromAFileOrStandardInputAndIsSentAsOneJsonValue() throws Exception {
        Path file = Files.writeString(dir.resolve("payload.json"), "[1, \"two\",\n {\"three\": 3}]\n");
        gatewayAnswers(200, "{'status':200,'payload':null}");

        assertThat(run("method", "invoke", "edge1", "--module=filter", "set", "--payload-file", file.toString())).isEqualTo(0);
        stdin = "  \"on\"\n";
        assertThat(run("method", "invoke", "edge1", "switch", "--payload-file=-")).isEqualTo(0);

        assertThat(received).extracting(Received::body).containsExactly(
                "{\"methodName\":\"set\",\"payload\":[1,\"two\",{\"three\":3}]}",
                "{\"methodName\":\"switch\",\"payload\":\"on\"}");
        assertThat(received).extracting(Received::path)
                .containsExactly("/api/twins/edge1/modules/filter/methods", "/api/twins/edge1/methods");
    }

    @Test
    void aPayloadThatIsMissingOrNotJsonIsAUsageErrorThatNamesItAndSendsNothing() throws Exception {
        assertThat(run("method", "invoke", "edge1", "m", "--payload", "{oops}")).isEqualTo(2);
        assertThat(err()).contains("--payload {oops} is not JSON: expected a field name", "usage: gatehouse");

        Path missing = dir.resolve("nope.json");
        assertThat(run("method", "invoke", "edge1", "m", "--payload-file", missing.toString())).isEqualTo(2);
        assertThat(err()).contains("no such payload file: " + missing);

        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"id\": ");
        assertThat(run("method", "invoke", "edge1", "m", "--payload-file", broken.toString())).isEqualTo(2);
        assertThat(err()).contains("payload file " + broken + " is not JSON: unexpected end");

        assertThat(run("method", "invoke", "edge1", "m", "--payload-file", dir.toString())).isEqualTo(2);
        assertThat(err()).contains("cannot read payload file " + dir);

        stdin = "";
        assertThat(run("method", "invoke", "edge1", "m", "--payload-file", "-")).isEqualTo(2);
        assertThat(err()).contains("standard input is not JSON: unexpected end");

        assertThat(run("method", "invoke", "edge1", "m", "--timeout", "3")).isEqualTo(2);
        assertThat(err()).contains("--timeout 3 is not a number of seconds (5 to 300)");

        assertThat(out()).isEmpty();
        assertThat(received).isEmpty();
    }

    @Test
    void aTargetNotThereOrNotAnsweringOrABadRequestOrNoHeadIsARefusalWithTheGatewaysReason() {
        gatewayAnswers(404, "{'error':'edge1/filter is not connected or not subscribed to methods'}");
        assertThat(run("method", "invoke", "edge1", "--module", "filter", "m")).isEqualTo(1);
        gatewayAnswers(504, "{'error':'no answer from edge1/filter in time'}");
        assertThat(run("method", "invoke", "edge1", "--module", "filter", "m")).isEqualTo(1);
        gatewayAnswers(400, "{'error':'responseTimeoutInSeconds must be a whole number from 5 to 300'}");
        assertThat(run("method", "invoke", "edge1", "m")).isEqualTo(1);
        gatewayAnswers(503, "{'error':'no protocol head is active to carry the method (bundle io.gatehouse.broker)'}");
        assertThat(run("method", "invoke", "edge1", "m")).isEqualTo(1);

        assertThat(err()).isEqualTo(String.join("\n",
                "gatehouse: edge1/filter is not connected or not subscribed to methods",
                "gatehouse: no answer from edge1/filter in time",
                "gatehouse: responseTimeoutInSeconds must be a whole number from 5 to 300",
                "gatehouse: no protocol head is active to carry the method (bundle io.gatehouse.broker)") + "\n");
        assertThat(out()).isEmpty();
        assertThat(received).hasSize(4);
    }

    @Test
    void methodAnswersWithoutTheTargetsStatusAreReportedNotThrown() {
        gatewayAnswers(200, "{'payload':1}");
        assertThat(run("method", "invoke", "edge1", "m")).isEqualTo(1);
        gatewayAnswers(200, "{'status':'ok'}");
        assertThat(run("method", "invoke", "edge1", "m")).isEqualTo(1);
        gatewayAnswers(200, "<html>hello</html>");
        assertThat(run("method", "invoke", "edge1", "m")).isEqualTo(1);
        assertThat(err()).contains("expected the target's status and payload", "does not understand");
        assertThat(out()).isEmpty();
    }

    @Test
    void theCliWaitsForTheAnswerLongerThanTheGatewayWaitsForTheTarget() {
        assertThat(GatehouseCli.methodWait(new Command.MethodCall("m", null, null, null, null)))
                .isGreaterThan(Duration.ofSeconds(30 + 5)).isLessThan(Duration.ofSeconds(60));
        assertThat(GatehouseCli.methodWait(new Command.MethodCall("m", null, null, 300, 300)))
                .isGreaterThan(Duration.ofSeconds(600 + 5));
        assertThat(GatehouseCli.methodWait(new Command.MethodCall("m", null, null, 5, 0)))
                .isGreaterThan(Duration.ofSeconds(5 + 5));
    }
}
