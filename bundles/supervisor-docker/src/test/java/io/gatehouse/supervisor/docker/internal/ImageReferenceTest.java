package io.gatehouse.supervisor.docker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {

    @Test
    void splitsTheRegistryAsTheEngineDoes() {
        assertThat(ImageReference.parse("busybox", null))
                .isEqualTo(new ImageReference("docker.io", "busybox", "latest", null));
        assertThat(ImageReference.parse("gatehouse-test/busybox:1", null))
                .isEqualTo(new ImageReference("docker.io", "gatehouse-test/busybox", "1", null));
        assertThat(ImageReference.parse("plant.azurecr.io/opc/reader:2.1", null))
                .isEqualTo(new ImageReference("plant.azurecr.io", "plant.azurecr.io/opc/reader", "2.1", null));
        assertThat(ImageReference.parse("localhost:5000/reader", null))
                .isEqualTo(new ImageReference("localhost:5000", "localhost:5000/reader", "latest", null));
        assertThat(ImageReference.parse("localhost:5000/reader", null).reference()).isEqualTo("localhost:5000/reader:latest");
    }

    @Test
    void aDigestPinsTheImage() {
        String digest = "sha256:" + "a".repeat(64);
        ImageReference pinned = ImageReference.parse("mcr.microsoft.com/azureiotedge-hub:1.5", digest);
        assertThat(pinned.reference()).isEqualTo("mcr.microsoft.com/azureiotedge-hub@" + digest);
        assertThat(pinned.tagOrDigest()).isEqualTo(digest);
        assertThat(ImageReference.parse("reader@" + digest, null).reference()).isEqualTo("reader@" + digest);
    }

    @Test
    void refusesWhatIsNoReference() {
        assertThatThrownBy(() -> ImageReference.parse(" ", null)).hasMessageContaining("empty");
        assertThatThrownBy(() -> ImageReference.parse("Reader:1", null)).hasMessageContaining("repository name");
        assertThatThrownBy(() -> ImageReference.parse("reader:bad tag", null)).hasMessageContaining("tag");
        assertThatThrownBy(() -> ImageReference.parse("reader", "md5")).hasMessageContaining("digest");
    }

    @Test
    void matchesCredentialAddressesToTheRegistry() {
        ImageReference acr = ImageReference.parse("plant.azurecr.io/reader:1", null);
        assertThat(acr.isServedBy("plant.azurecr.io")).isTrue();
        assertThat(acr.isServedBy("https://PLANT.azurecr.io/")).isTrue();
        assertThat(acr.isServedBy("other.azurecr.io")).isFalse();
        ImageReference hub = ImageReference.parse("library/reader", null);
        assertThat(hub.isServedBy("https://index.docker.io/v1/")).isTrue();
        assertThat(hub.isServedBy("docker.io")).isTrue();
        assertThat(hub.isServedBy("plant.azurecr.io")).isFalse();
    }
}
