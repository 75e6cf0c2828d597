package io.gatehouse.management.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class RequestBodyTest {

    @Test
    void readsABodyUpToTheLimit() throws Exception {
        byte[] body = new byte[100];
        assertThat(RequestBody.read(new ByteArrayInputStream(body), 100, 100)).hasSize(100);
        assertThat(RequestBody.read(new ByteArrayInputStream(body), -1, 100)).hasSize(100);
    }

    @Test
    void refusesADeclaredLengthOverTheLimitWithoutReading() {
        InputStream neverRead = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("the body must not be read");
            }
        };
        assertThatThrownBy(() -> RequestBody.read(neverRead, 101, 100))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(413);
                    assertThat(e.reason()).contains("100 bytes");
                });
    }

    @Test
    void refusesAChunkedBodyThatGrowsOverTheLimit() {
        assertThatThrownBy(() -> RequestBody.read(new ByteArrayInputStream(new byte[101]), -1, 100))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(413));
    }

    @Test
    void aBrokenConnectionIsA400() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };
        assertThatThrownBy(() -> RequestBody.read(broken, -1, 100))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.reason()).contains("connection reset");
                });
    }
}
