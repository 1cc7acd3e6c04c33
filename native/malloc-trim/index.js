// The compiled addon (built by node-gyp when the package is installed): trim() → malloc_trim(0).
module.exports = require('./build/Release/malloc_trim.node');
