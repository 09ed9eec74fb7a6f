package studio.app.remote;

import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.Message;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.method.AbstractAuthMethod;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The user's ssh-agent ({@code SSH_AUTH_SOCK}), spoken to over its Unix socket with the agent protocol
 * (draft-miller-ssh-agent: request identities, sign request), so keys held there sign without the studio ever seeing
 * them. SSHJ has no agent client; its publickey method is completed here with the agent's signature.
 */
public final class SshAgent {
    private static final int REQUEST_IDENTITIES = 11;
    private static final int IDENTITIES_ANSWER = 12;
    private static final int SIGN_REQUEST = 13;
    private static final int SIGN_RESPONSE = 14;
    private static final int RSA_SHA2_256 = 2;
    private final Path socket;

    /** A key the agent holds: its public blob (SSH wire form) and comment. */
    public record Identity(byte[] blob, String comment) {
        String keyType() {
            try {
                return new Buffer.PlainBuffer(blob).readString();
            } catch (Buffer.BufferException e) {
                return "";
            }
        }
    }

    public SshAgent(Path socket) {
        this.socket = socket;
    }

    /** The agent of this session's environment, if there is one. */
    public static SshAgent fromEnvironment() {
        String s = System.getenv("SSH_AUTH_SOCK");
        return s == null || s.isBlank() || !Files.exists(Path.of(s)) ? null : new SshAgent(Path.of(s));
    }

    public Path socket() { return socket; }

    private byte[] call(byte[] request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.allocate(4 + request.length);
            out.putInt(request.length).put(request).flip();
            while (out.hasRemaining()) ch.write(out);
            ByteBuffer len = ByteBuffer.allocate(4);
            readFully(ch, len);
            int n = len.flip().getInt();
            if (n <= 0 || n > 256 * 1024) throw new IOException("ssh-agent at " + socket + " answered a malformed message");
            ByteBuffer body = ByteBuffer.allocate(n);
            readFully(ch, body);
            return body.array();
        }
    }

    private static void readFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) if (ch.read(b) < 0) throw new IOException("ssh-agent closed the connection");
    }

    public List<Identity> identities() throws IOException {
        byte[] answer = call(new byte[] {REQUEST_IDENTITIES});
        if (answer[0] != IDENTITIES_ANSWER) throw new IOException("ssh-agent at " + socket + " refused to list its keys");
        Buffer.PlainBuffer b = new Buffer.PlainBuffer(answer);
        List<Identity> out = new ArrayList<>();
        try {
            b.readByte();
            long count = b.readUInt32();
            for (long i = 0; i < count; i++) out.add(new Identity(b.readBytes(), b.readString()));
        } catch (Buffer.BufferException e) {
            throw new IOException("ssh-agent at " + socket + " answered a malformed key list", e);
        }
        return out;
    }

    /** The signature blob (algorithm and signature, as userauth carries it) of {@code data} by the agent's key. */
    byte[] sign(Identity id, byte[] data, boolean rsaSha2) throws IOException {
        Buffer.PlainBuffer req = new Buffer.PlainBuffer();
        req.putByte((byte) SIGN_REQUEST).putBytes(id.blob()).putBytes(data).putUInt32(rsaSha2 ? RSA_SHA2_256 : 0);
        byte[] answer = call(req.getCompactData());
        if (answer[0] != SIGN_RESPONSE) throw new IOException("ssh-agent refused to sign with " + id.comment());
        try {
            Buffer.PlainBuffer b = new Buffer.PlainBuffer(answer);
            b.readByte();
            return b.readBytes();
        } catch (Buffer.BufferException e) {
            throw new IOException("ssh-agent answered a malformed signature", e);
        }
    }

    /** SSHJ's "publickey" authentication with one of the agent's keys. */
    AbstractAuthMethod authMethod(Identity id) {
        return new AbstractAuthMethod("publickey") {
            private final boolean rsa = id.keyType().equals("ssh-rsa");
            // OpenSSH refuses SHA-1 RSA signatures: an RSA key signs with rsa-sha2-256
            private final String algorithm = rsa ? "rsa-sha2-256" : id.keyType();

            private SSHPacket request(boolean signed) throws UserAuthException {
                return super.buildReq().putBoolean(signed).putString(algorithm).putBytes(id.blob());
            }

            @Override
            protected SSHPacket buildReq() throws UserAuthException {
                return request(false);
            }

            @Override
            public void handle(Message cmd, SSHPacket buf) throws UserAuthException, TransportException {
                if (cmd != Message.USERAUTH_60) {
                    super.handle(cmd, buf);
                    return;
                }
                SSHPacket signed = request(true);
                byte[] data = new Buffer.PlainBuffer().putString(params.getTransport().getSessionID()).putBuffer(signed).getCompactData();
                try {
                    signed.putBytes(sign(id, data, rsa));
                } catch (IOException e) {
                    throw new UserAuthException("ssh-agent: " + e.getMessage(), e);
                }
                params.getTransport().write(signed);
            }
        };
    }
}
