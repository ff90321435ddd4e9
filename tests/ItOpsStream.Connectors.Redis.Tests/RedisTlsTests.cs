using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ItOpsStream.Engine.Topology;
using ItOpsStream.TestKit.Redis;
using StackExchange.Redis;

namespace ItOpsStream.Connectors.Redis.Tests;

/// <summary>TLS against a real redis-server with a private CA and mutual TLS; certificates made per run.</summary>
public sealed class RedisTlsTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("itops-redis-tls-");
    private RedisServer _server = null!;

    private string Ca => Path.Combine(_dir.FullName, "ca.pem");

    private string ClientCert => Path.Combine(_dir.FullName, "client.pem");

    private string ClientKey => Path.Combine(_dir.FullName, "client.key");

    public async Task InitializeAsync()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=itops test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        File.WriteAllText(Ca, ca.ExportCertificatePem());

        Issue(ca, "CN=127.0.0.1", Path.Combine(_dir.FullName, "server.pem"), Path.Combine(_dir.FullName, "server.key"), server: true);
        Issue(ca, "CN=itops-engine", ClientCert, ClientKey, server: false);
        _server = await RedisServer.StartTlsAsync(new RedisServerTls(Path.Combine(_dir.FullName, "server.pem"), Path.Combine(_dir.FullName, "server.key"), Ca, RequireClientCertificate: true));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Rediss_WithPrivateCaAndClientCertificate_ImportsAndLoads()
    {
        string url = $"rediss://127.0.0.1:{_server.Port}?ca={Uri.EscapeDataString(Ca)}&cert={Uri.EscapeDataString(ClientCert)}&key={Uri.EscapeDataString(ClientKey)}";
        await using var store = await RedisTopologyStore.ConnectAsync(url);

        await store.ImportAsync(new TopologyDocument([new CiRecord("svc:tls", "service")], []), CmdbImportMode.Merge, default);

        Assert.Equal("svc:tls", Assert.Single((await store.LoadAsync(default)).Document.Cis).Id);
    }

    [Fact]
    public async Task Rediss_WithoutClientCertificate_IsRefused()
    {
        var quick = RedisCmdbOptions.Default with { CommandTimeout = TimeSpan.FromSeconds(1), TlsCaCertificatePath = Ca };
        await using var store = await RedisTopologyStore.ConnectAsync($"rediss://127.0.0.1:{_server.Port}", quick);

        await Assert.ThrowsAnyAsync<RedisException>(async () => await store.LoadAsync(default));
    }

    [Fact]
    public async Task Rediss_ServerCertificateFromAnUntrustedCa_IsRefused()
    {
        var quick = RedisCmdbOptions.Default with { CommandTimeout = TimeSpan.FromSeconds(1), TlsClientCertificatePath = ClientCert, TlsClientKeyPath = ClientKey };
        await using var store = await RedisTopologyStore.ConnectAsync($"rediss://127.0.0.1:{_server.Port}", quick);

        await Assert.ThrowsAnyAsync<RedisException>(async () => await store.LoadAsync(default));
    }

    [Fact]
    public void TlsFilesOnAPlainUrl_AreRejectedWithOneLine()
    {
        var ex = Assert.Throws<ArgumentException>(() => RedisTopologyStore.Connect($"redis://127.0.0.1:{_server.Port}?ca={Uri.EscapeDataString(Ca)}"));

        Assert.Contains("use rediss://", ex.Message, StringComparison.Ordinal);
    }

    private static void Issue(X509Certificate2 ca, string subject, string certFile, string keyFile, bool server)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(System.Net.IPAddress.Loopback);
            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
        }

        using var cert = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));
        File.WriteAllText(certFile, cert.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }
}
