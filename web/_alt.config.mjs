const proxy = Object.fromEntries(['/auth', '/user', '/album', '/file', '/files', '/health'].map((p) => [`^${p}(/|\\?|$)`, { target: 'http://127.0.0.1:24900', localAddress: '127.0.0.3' }]));
export default { preview: { proxy } };
