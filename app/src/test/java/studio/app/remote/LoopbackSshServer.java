package studio.app.remote;

import studio.app.cluster.ClusterHost;
import studio.app.cluster.RemoteRun;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.scp.server.ScpCommandFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.shell.ProcessShellCommandFactory;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;

/** A real SSH server (Apache MINA SSHD) on 127.0.0.1 that runs commands with the machine's shell. */
final class LoopbackSshServer implements AutoCloseable {
    final SshServer server;
    final Path clientKey;
    final PublicKey hostKey;

    LoopbackSshServer(Path dir) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        KeyPair client = KeyUtils.generateKeyPair("ssh-ed25519", 256);
        clientKey = dir.resolve("id_ed25519");
        try (OutputStream out = Files.newOutputStream(clientKey)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(client, "studio-test", null, out);
        }
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(dir.resolve("hostkey.ser"));
        keys.setAlgorithm(KeyUtils.EC_ALGORITHM);
        server.setKeyPairProvider(keys);
        server.setPublickeyAuthenticator((user, key, s) -> KeyUtils.compareKeys(client.getPublic(), key));
        server.setCommandFactory(new ScpCommandFactory.Builder().withDelegate(ProcessShellCommandFactory.INSTANCE).build());
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        server.start();
        hostKey = keys.loadKeys(null).iterator().next().getPublic();
    }

    ClusterHost host() {
        return new ClusterHost("127.0.0.1", server.getPort(), System.getProperty("user.name"), clientKey);
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }
}
