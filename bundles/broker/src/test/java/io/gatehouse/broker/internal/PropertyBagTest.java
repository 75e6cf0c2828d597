package io.gatehouse.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import org.junit.jupiter.api.Test;

class PropertyBagTest {

    private static Message decode(String bag) {
        Message.Builder b = Message.builder();
        PropertyBag.decode(bag, b);
        return b.build();
    }

    @Test
    void systemPropertiesMapToInternalKeysAndTheRestAreApplicationProperties() {
        Message m = decode("$.mid=42&$.cid=c1&$.ct=application%2Fjson&$.ce=utf-8&$.on=out1&$.schema=s"
                + "&$.ctime=2026-01-01&$.sub=comp&$.ifid=i&$.to=t&$.uid=u&$.exp=e&line=3&name=a%20b");
        assertThat(m.systemProperties()).containsEntry(SystemProperties.MESSAGE_ID, "42")
                .containsEntry(SystemProperties.CORRELATION_ID, "c1")
                .containsEntry(SystemProperties.CONTENT_TYPE, "application/json")
                .containsEntry(SystemProperties.CONTENT_ENCODING, "utf-8")
                .containsEntry(SystemProperties.OUTPUT_NAME, "out1")
                .containsEntry(SystemProperties.MESSAGE_SCHEMA, "s")
                .containsEntry(SystemProperties.CREATION_TIME, "2026-01-01")
                .containsEntry(SystemProperties.COMPONENT_NAME, "comp")
                .containsEntry(SystemProperties.INTERFACE_ID, "i")
                .containsEntry(SystemProperties.TO, "t")
                .containsEntry(SystemProperties.USER_ID, "u")
                .containsEntry(SystemProperties.EXPIRY_TIME, "e");
        assertThat(m.properties()).containsExactly(java.util.Map.entry("line", "3"), java.util.Map.entry("name", "a b"));
    }

    @Test
    void identityPropertiesAndUnknownSystemKeysFromTheClientAreIgnored() {
        Message m = decode("$.cdid=evil&%24.cmid=evil&$.nonsense=1&ok=1");
        assertThat(m.systemProperties()).isEmpty();
        assertThat(m.properties()).containsOnlyKeys("ok");
    }

    @Test
    void emptyPairsKeysWithoutValuesAndEmptyBagsAreTolerated() {
        assertThat(decode("").properties()).isEmpty();
        assertThat(decode("a&&b=").properties()).containsEntry("a", "").containsEntry("b", "");
    }

    @Test
    void encodeRoundTripsApplicationAndSystemPropertiesWithWireNames() {
        Message m = Message.builder().property("line", "3 & 4").property("k=v", "x/y")
                .systemProperty(SystemProperties.CONTENT_TYPE, "application/json")
                .systemProperty(SystemProperties.CONNECTION_DEVICE_ID, "dev1")
                .systemProperty(SystemProperties.CONNECTION_MODULE_ID, "mod")
                .systemProperty(SystemProperties.ENQUEUED_TIME, "not sent")
                .build();
        String bag = PropertyBag.encode(m);
        assertThat(bag).contains("%24.cdid=dev1").contains("%24.cmid=mod").contains("%24.ct=application%2Fjson")
                .doesNotContain("enqueued").doesNotContain(" ");
        Message back = decode(bag);
        assertThat(back.properties()).containsEntry("line", "3 & 4").containsEntry("k=v", "x/y");
        assertThat(back.systemProperties()).containsEntry(SystemProperties.CONTENT_TYPE, "application/json");
    }

    @Test
    void cloudToDeviceBagsCarryTheHubsAddressAndOnlyTheSystemPropertiesADeviceSees() {
        Message m = Message.builder().property("a b", "c&d")
                .systemProperty(SystemProperties.ACK, "negative")
                .systemProperty(SystemProperties.CORRELATION_ID, "c/1")
                .systemProperty(SystemProperties.MESSAGE_ID, "m1")
                .systemProperty(SystemProperties.TO, "/devices/other/messages/deviceBound")
                .systemProperty(SystemProperties.CONNECTION_DEVICE_ID, "sender")
                .systemProperty(SystemProperties.ENQUEUED_TIME, "2026-01-01T00:00:00Z")
                .build();
        assertThat(PropertyBag.encodeCloudToDevice(m, "leaf 1")).isEqualTo(
                "%24.mid=m1&%24.to=%2Fdevices%2Fleaf%201%2Fmessages%2FdeviceBound&%24.cid=c%2F1&iothub-ack=negative&a%20b=c%26d");
        assertThat(PropertyBag.encodeCloudToDevice(Message.builder().build(), "d"))
                .isEqualTo("%24.to=%2Fdevices%2Fd%2Fmessages%2FdeviceBound");
    }
}
